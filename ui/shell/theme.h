// SPDX-License-Identifier: MIT
// Light and dark palettes for the console. "System" follows the palette the
// platform gave at start (Qt 6.4 has no colour-scheme hint to follow live).
#pragma once

#include <QString>

namespace colophon {

enum class ThemeMode { System, Light, Dark };

ThemeMode parseThemeMode(const QString &name); // unknown: System
QString themeModeName(ThemeMode mode);

// Remembers the platform's own palette; call once, before applyTheme().
void rememberSystemPalette();
// Sets the Fusion style and the palette for mode on the application.
void applyTheme(ThemeMode mode);
// Whether mode resolves to the dark palette here.
bool isDarkTheme(ThemeMode mode);

} // namespace colophon
