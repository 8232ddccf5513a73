// SPDX-License-Identifier: MIT
#include "sync/syncprotocol.h"

#include <QCryptographicHash>

namespace colophon::sync {

void EventSetChecksum::add(const QString &eventId)
{
    const QByteArray digest =
        QCryptographicHash::hash(eventId.toUtf8(), QCryptographicHash::Sha256);
    for (size_t i = 0; i < m_sum.size(); ++i) {
        m_sum[i] ^= static_cast<unsigned char>(digest[static_cast<qsizetype>(i)]);
    }
}

QString EventSetChecksum::hex() const
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(m_sum.data()), m_sum.size()).toHex());
}

} // namespace colophon::sync
