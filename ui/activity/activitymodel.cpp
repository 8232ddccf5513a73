// SPDX-License-Identifier: MIT
// The rows of the activity view, with names looked up in the background.
#include "ui/activity/activitymodel.h"

#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "ui/activity/eventdescription.h"
#include "ui/core/actornames.h"
#include "ui/core/servicegateway.h"

#include <QDateTime>
#include <QLocale>

namespace colophon {

namespace {

QString displayName(const User &user)
{
    const QString name = (user.firstName + QLatin1Char(' ') + user.lastName).trimmed();
    return name.isEmpty() ? user.email : name;
}

// When the change was made: its HLC physical time (the log's own order of
// time), or when this replica recorded it if the stamp is missing.
qint64 whenMs(const Event &e)
{
    return e.hlc.physicalMs > 0 ? e.hlc.physicalMs : e.recordedAtMs;
}

} // namespace

ActivityModel::ActivityModel(ServiceGateway &gateway, QObject *parent)
    : QAbstractTableModel(parent), m_gateway(gateway)
{
    connect(&m_gateway.names(), &ActorNames::namesChanged, this,
            [this] { namesArrived(WhoColumn); });
}

int ActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int ActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case WhenColumn:
            return tr("When");
        case WhoColumn:
            return tr("Who");
        case WhatColumn:
            return tr("What");
        case SubjectColumn:
            return tr("Subject");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case WhenColumn:
            return tr("When the change was made, in local time");
        case WhoColumn:
            return tr("Who made the change");
        case WhatColumn:
            return tr("What was done");
        case SubjectColumn:
            return tr("The item, category or account it was done to");
        default:
            return {};
        }
    }
    return {};
}

QVariant ActivityModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Event &e = m_events[size_t(index.row())];
    switch (role) {
    case LocalSeqRole:
        return e.localSeq;
    case StreamRole:
        return e.stream;
    case ActorIdRole:
        return e.actorId;
    case TypeRole:
        return e.type;
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case WhenColumn: {
            const QDateTime at = QDateTime::fromMSecsSinceEpoch(whenMs(e));
            return QLocale().toString(at.date(), QLocale::ShortFormat) + QLatin1Char(' ') +
                   at.time().toString(QStringLiteral("HH:mm:ss"));
        }
        case WhoColumn:
            return actorName(e.actorId);
        case WhatColumn:
            return eventDescription(e);
        case SubjectColumn:
            return subjectName(e.stream);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case WhenColumn:
            return QDateTime::fromMSecsSinceEpoch(whenMs(e), Qt::UTC).toString(Qt::ISODateWithMs);
        case WhoColumn:
            return e.actorId.isEmpty() ? tr("Done by the system, not on behalf of a person")
                                       : tr("User %1").arg(e.actorId);
        case WhatColumn:
            return QStringLiteral("%1\n(%2)").arg(eventDescription(e), e.type);
        case SubjectColumn:
            return e.stream;
        default:
            return {};
        }
    default:
        return {};
    }
}

QString ActivityModel::actorName(const QString &actorId) const
{
    if (actorId.isEmpty()) {
        return tr("system");
    }
    return m_gateway.names().name(actorId);
}

QString ActivityModel::subjectName(const QString &stream) const
{
    const auto it = m_subjects.constFind(stream);
    return it != m_subjects.constEnd() && !it->isEmpty() ? *it : stream;
}

void ActivityModel::forgetNames()
{
    ++m_namesGeneration;
    m_subjects.clear();
    m_asked.clear();
    if (!m_events.empty()) {
        emit dataChanged(index(0, WhoColumn), index(rowCount() - 1, SubjectColumn));
    }
}

void ActivityModel::reset(std::vector<Event> events)
{
    beginResetModel();
    m_events = std::move(events);
    endResetModel();
    for (const Event &e : m_events) {
        resolve(e);
    }
}

void ActivityModel::appendOlder(std::vector<Event> events)
{
    if (events.empty()) {
        return;
    }
    const int first = rowCount();
    beginInsertRows({}, first, first + int(events.size()) - 1);
    for (Event &e : events) {
        m_events.push_back(std::move(e));
    }
    endInsertRows();
    for (int row = first; row < rowCount(); ++row) {
        resolve(m_events[size_t(row)]);
    }
}

void ActivityModel::prependNewer(std::vector<Event> events)
{
    if (events.empty()) {
        return;
    }
    const int count = int(events.size());
    for (const Event &e : events) {
        // A new event may have renamed what it is about: look it up again.
        m_subjects.remove(e.stream);
        m_asked.remove(QStringLiteral("s:") + e.stream);
    }
    beginInsertRows({}, 0, count - 1);
    m_events.insert(m_events.begin(), std::make_move_iterator(events.begin()),
                    std::make_move_iterator(events.end()));
    endInsertRows();
    for (const Event &e : m_events) {
        resolve(e); // only asks for what is not known
    }
}

void ActivityModel::resolve(const Event &event)
{
    resolveSubject(event.stream);
}

void ActivityModel::resolveSubject(const QString &stream)
{
    if (stream.isEmpty() || m_subjects.contains(stream) ||
        m_asked.contains(QStringLiteral("s:") + stream)) {
        return;
    }
    const QString kind = eventStreamKind(stream);
    const QString id = eventStreamId(stream);
    const bool readsUsers = m_gateway.may(Action::UserRead);
    if (kind != QLatin1String("content") && kind != QLatin1String("category") &&
        !(kind == QLatin1String("user") && readsUsers)) {
        return;
    }
    m_asked.insert(QStringLiteral("s:") + stream);
    m_gateway.run(
        this,
        [services = m_gateway.services(), actor = m_gateway.actor(), kind,
         id]() -> Result<QString> {
            if (kind == QLatin1String("content")) {
                auto item = services.content->get(actor, id);
                return item ? Result<QString>(item->title) : fail(item.error());
            }
            if (kind == QLatin1String("category")) {
                auto category = services.content->category(actor, id);
                return category ? Result<QString>(category->name) : fail(category.error());
            }
            auto user = services.users->user(actor, id);
            return user ? Result<QString>(displayName(*user)) : fail(user.error());
        },
        [this, stream, generation = m_namesGeneration](Result<QString> name) {
            if (generation != m_namesGeneration) {
                return;
            }
            // Deleted or not visible: the row keeps showing the stream.
            m_subjects.insert(stream, name ? *name : QString());
            namesArrived(SubjectColumn);
        });
}

void ActivityModel::namesArrived(int column)
{
    if (!m_events.empty()) {
        emit dataChanged(index(0, column), index(rowCount() - 1, column),
                         {Qt::DisplayRole, Qt::AccessibleTextRole});
    }
}

} // namespace colophon
