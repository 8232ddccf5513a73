// SPDX-License-Identifier: MIT
#include "ui/core/actornames.h"

#include "services/user/userservice.h"
#include "ui/core/servicegateway.h"

#include <QDateTime>
#include <QLocale>
#include <QTimer>

namespace colophon {

ActorNames::ActorNames(ServiceGateway &gateway, QObject *parent)
    : QObject(parent), m_gateway(gateway), m_batch(new QTimer(this))
{
    // Names asked for while a view paints go out as one lookup.
    m_batch->setSingleShot(true);
    m_batch->setInterval(0);
    connect(m_batch, &QTimer::timeout, this, &ActorNames::lookUp);
}

QString ActorNames::name(const QString &actorId)
{
    if (actorId.isEmpty()) {
        return tr("the system");
    }
    if (actorId == m_gateway.actor().userId) {
        return tr("you");
    }
    if (auto known = m_names.constFind(actorId); known != m_names.constEnd()) {
        return *known;
    }
    if (m_gateway.may(Action::UserReadNames) && !m_asked.contains(actorId)) {
        m_asked.insert(actorId);
        m_queue << actorId;
        m_batch->start();
    }
    return tr("user %1").arg(actorId.left(8));
}

void ActorNames::forget(const QString &actorId)
{
    m_names.remove(actorId);
    m_asked.remove(actorId);
}

void ActorNames::clear()
{
    ++m_generation;
    m_names.clear();
    m_asked.clear();
    m_queue.clear();
}

void ActorNames::lookUp()
{
    const QStringList ids = std::exchange(m_queue, {});
    if (ids.isEmpty()) {
        return;
    }
    m_gateway.run(
        this,
        [&users = m_gateway.users(), actor = m_gateway.actor(), ids] {
            return users.displayNames(actor, ids);
        },
        [this, generation = m_generation](Result<QHash<QString, QString>> names) {
            // Unknown or unreadable ids keep their short form; not asked again.
            if (generation != m_generation || !names || names->isEmpty()) {
                return;
            }
            m_names.insert(*names);
            emit namesChanged();
        });
}

QString shortDateTime(qint64 ms)
{
    if (ms <= 0) {
        return {};
    }
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

} // namespace colophon
