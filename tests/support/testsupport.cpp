// SPDX-License-Identifier: MIT
#include "tests/support/testsupport.h"

#include <QtGlobal>

namespace colophon::test {

QString sourceDir()
{
    return qEnvironmentVariable("COLOPHON_SOURCE_DIR", QStringLiteral("."));
}
QString binaryDir()
{
    return qEnvironmentVariable("COLOPHON_BINARY_DIR", QStringLiteral("."));
}

} // namespace colophon::test
