// SPDX-License-Identifier: MIT
// QrCodeWidget: the module matrix from libqrencode, painted to whole pixels.
#include "ui/users/qrcodewidget.h"

#include <QPainter>
#include <qrencode.h>

namespace colophon {

namespace {
constexpr int kQuietZone = 4;
constexpr int kPreferredModulePixels = 5;
} // namespace

QrCodeWidget::QrCodeWidget(QWidget *parent) : QWidget(parent)
{
    setAccessibleName(tr("QR code"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void QrCodeWidget::setText(const QString &text)
{
    m_text = text;
    m_width = 0;
    m_modules.clear();
    const QByteArray data = text.toUtf8();
    if (!data.isEmpty()) {
        // encodeData (8-bit mode) scans exactly the UTF-8 bytes given.
        QRcode *qr = QRcode_encodeData(static_cast<int>(data.size()),
                                       reinterpret_cast<const unsigned char *>(data.constData()), 0,
                                       QR_ECLEVEL_M);
        if (qr) {
            m_width = qr->width;
            m_modules.resize(m_width * m_width);
            for (int i = 0; i < m_width * m_width; ++i) {
                m_modules[i] = (qr->data[i] & 1) != 0;
            }
            QRcode_free(qr);
        }
    }
    setAccessibleDescription(m_width > 0 ? tr("A QR code of %1 by %1 modules").arg(m_width)
                                         : tr("No QR code"));
    updateGeometry();
    update();
}

bool QrCodeWidget::isDark(int x, int y) const
{
    if (x < 0 || y < 0 || x >= m_width || y >= m_width) {
        return false;
    }
    return m_modules.at(y * m_width + x);
}

QSize QrCodeWidget::sizeHint() const
{
    const int side = (std::max(m_width, 21) + 2 * kQuietZone) * kPreferredModulePixels;
    return {side, side};
}

QSize QrCodeWidget::minimumSizeHint() const
{
    const int side = (std::max(m_width, 21) + 2 * kQuietZone) * 2;
    return {side, side};
}

void QrCodeWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const int total = m_width + 2 * kQuietZone;
    const int side = std::min(width(), height());
    // Whole pixels per module keep the edges crisp for the camera.
    const int module = std::max(1, side / total);
    const int drawn = module * total;
    const QPoint origin((width() - drawn) / 2, (height() - drawn) / 2);
    painter.fillRect(QRect(origin, QSize(drawn, drawn)), Qt::white);
    if (m_width == 0) {
        return;
    }
    for (int y = 0; y < m_width; ++y) {
        for (int x = 0; x < m_width;) {
            if (!isDark(x, y)) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < m_width && isDark(x, y)) {
                ++x;
            }
            painter.fillRect(origin.x() + (start + kQuietZone) * module,
                             origin.y() + (y + kQuietZone) * module, (x - start) * module, module,
                             Qt::black);
        }
    }
}

} // namespace colophon
