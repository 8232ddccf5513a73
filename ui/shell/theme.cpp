// SPDX-License-Identifier: MIT
#include "ui/shell/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <memory>

namespace colophon {

namespace {

QPalette &systemPalette()
{
    static QPalette palette;
    return palette;
}

bool &systemRemembered()
{
    static bool remembered = false;
    return remembered;
}

QPalette lightPalette()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = fusion->standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xde));
    p.setColor(QPalette::Link, QColor(0x1f, 0x5f, 0xc8));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    p.setColor(QPalette::Midlight, QColor(0x3c, 0x3f, 0x45));
    p.setColor(QPalette::Mid, QColor(0x30, 0x33, 0x37));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xe8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xb0, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x96, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabled);
    }
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return p;
}

} // namespace

ThemeMode parseThemeMode(const QString &name)
{
    if (name == QLatin1String("light")) {
        return ThemeMode::Light;
    }
    if (name == QLatin1String("dark")) {
        return ThemeMode::Dark;
    }
    return ThemeMode::System;
}

QString themeModeName(ThemeMode mode)
{
    switch (mode) {
    case ThemeMode::Light:
        return QStringLiteral("light");
    case ThemeMode::Dark:
        return QStringLiteral("dark");
    case ThemeMode::System:
        break;
    }
    return QStringLiteral("system");
}

void rememberSystemPalette()
{
    systemPalette() = QGuiApplication::palette();
    systemRemembered() = true;
}

bool isDarkTheme(ThemeMode mode)
{
    if (mode == ThemeMode::System) {
        const QPalette &p = systemRemembered() ? systemPalette() : QGuiApplication::palette();
        return p.color(QPalette::Window).lightness() < 128;
    }
    return mode == ThemeMode::Dark;
}

void applyTheme(ThemeMode mode)
{
    if (QApplication::style()->name() != QLatin1String("fusion")) {
        QApplication::setStyle(QStringLiteral("Fusion")); // the application owns it
    }
    QApplication::setPalette(isDarkTheme(mode) ? darkPalette() : lightPalette());
}

} // namespace colophon
