// SPDX-License-Identifier: MIT
// The resources library: its files are embedded by qt_add_resources.
namespace colophon {
int resourcesLinked()
{
    return 1;
}
} // namespace colophon
