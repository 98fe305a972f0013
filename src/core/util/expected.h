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
    /*! A success holding \a value; implicit, so a function can simply `return value;`. */
    Expected(T value) : m_value(std::move(value)) {} // NOLINT(google-explicit-constructor)
    /*! A failure with the message \a error (error() returns it; it should name what failed). */
    static Expected failure(QString error)
    {
        Expected e;
        e.m_error = std::move(error);
        return e;
    }
    /*! True for a success (a value is held), false for a failure. */
    bool ok() const { return m_value.has_value(); }
    /*! Same as ok(), for `if (auto r = parse(...))`. */
    explicit operator bool() const { return ok(); }
    /*! The value; only valid when ok() (undefined behaviour otherwise, nothing throws). */
    const T &value() const { return *m_value; }
    /*! The value, modifiable (to move it out); only valid when ok(). */
    T &value() { return *m_value; }
    /*! Same as value(). */
    const T &operator*() const { return *m_value; }
    /*! Member access to the value; only valid when ok(). */
    const T *operator->() const { return &*m_value; }
    /*! The message of a failure; "" when ok(). */
    const QString &error() const { return m_error; }

private:
    Expected() = default;
    std::optional<T> m_value;
    QString m_error;
};

} // namespace jobslib
