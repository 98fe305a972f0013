// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace jobslib {

/*!
 * A value or an error message. Synchronous parsing in jobslib returns this instead of throwing
 * (no exceptions cross the event loop).
 */
template<typename T>
class Expected
{
public:
    Expected(T value) : m_value(std::move(value)) {} // NOLINT(google-explicit-constructor)
    static Expected failure(QString error)
    {
        Expected e;
        e.m_error = std::move(error);
        return e;
    }
    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return *m_value; }
    T &value() { return *m_value; }
    const T &operator*() const { return *m_value; }
    const T *operator->() const { return &*m_value; }
    const QString &error() const { return m_error; }

private:
    Expected() = default;
    std::optional<T> m_value;
    QString m_error;
};

} // namespace jobslib
