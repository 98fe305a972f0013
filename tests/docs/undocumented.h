// SPDX-License-Identifier: BSD-3-Clause
// Input of the apidoc-undocumented test: a public class without documentation must make the
// reference manual fail.
#pragma once

namespace jobslib {

/*! Documented, so that Doxygen checks its members. */
class UndocumentedForTheTest
{
public:
    int undocumentedMember() const;
};

} // namespace jobslib
