// SPDX-License-Identifier: MIT
#include "sync/syncprotocol.h"

#include <QCryptographicHash>

namespace colophon::sync {

QString text(const nlohmann::json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                 : QString();
}

qint64 integer(const nlohmann::json &object, const char *key, qint64 otherwise)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? it->get<qint64>() : otherwise;
}

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

Result<nlohmann::json> SyncTransport::snapshotOffer(const QString &)
{
    return fail(Error::notFound(QStringLiteral("this transport carries no snapshots")));
}

Result<QByteArray> SyncTransport::snapshotPart(const QString &, qint64)
{
    return fail(Error::notFound(QStringLiteral("this transport carries no snapshots")));
}

} // namespace colophon::sync
