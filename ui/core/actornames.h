// SPDX-License-Identifier: MIT
// Who did something, in words, for every view of the console: "you", a
// person's name (looked up in the background, in batches, through
// UserService::displayNames for the roles that may read names), else a
// short form of the account id. One per gateway, so views share the cache.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

QT_FORWARD_DECLARE_CLASS(QTimer)

namespace colophon {

class ServiceGateway;

class ActorNames final : public QObject
{
    Q_OBJECT

public:
    explicit ActorNames(ServiceGateway &gateway, QObject *parent = nullptr);

    // The best name known now ("you" for the signed-in person, "the system"
    // for an event no person caused); asks for a better one when it may.
    QString name(const QString &actorId);
    // The looked-up name, or empty while unknown.
    QString knownName(const QString &actorId) const { return m_names.value(actorId); }
    // Forgets an account's name (it was renamed), or every name.
    void forget(const QString &actorId);
    void clear();

signals:
    // Names looked up in the background arrived: redraw what shows names.
    void namesChanged();

private:
    void lookUp();

    ServiceGateway &m_gateway;
    QHash<QString, QString> m_names;
    QSet<QString> m_asked;
    QStringList m_queue;
    QTimer *m_batch;
    quint64 m_generation = 0;
};

// "14 Mar 2025 14:02" in local time; "" for 0.
QString shortDateTime(qint64 ms);

} // namespace colophon
