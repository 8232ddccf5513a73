// SPDX-License-Identifier: MIT
// A QR code painted from its text (libqrencode, error correction level M):
// the authenticator enrolment shows the otpauth:// address this way, dark
// modules on white with the 4-module quiet zone scanners expect, whatever
// the palette.
#pragma once

#include <QVector>
#include <QWidget>

namespace colophon {

class QrCodeWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit QrCodeWidget(QWidget *parent = nullptr);

    // Encodes text; an empty text (or one too long for any QR version) clears.
    void setText(const QString &text);
    QString text() const { return m_text; }

    // Modules per side (0 when there is no code) and whether one is dark.
    int moduleCount() const { return m_width; }
    bool isDark(int x, int y) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
    int m_width = 0;
    QVector<bool> m_modules;
};

} // namespace colophon
