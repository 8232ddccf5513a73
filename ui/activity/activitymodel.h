// SPDX-License-Identifier: MIT
// The rows of the activity view: events of the replica's log, newest first,
// with who did it and what it was about resolved to names in the background
// (through the gateway, cached) while the row shows a short id meanwhile.
#pragma once

#include "backend/events/event.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <vector>

namespace colophon {

class ServiceGateway;

class ActivityModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { WhenColumn, WhoColumn, WhatColumn, SubjectColumn, ColumnCount };
    enum Role { LocalSeqRole = Qt::UserRole + 1, StreamRole, ActorIdRole, TypeRole };

    explicit ActivityModel(ServiceGateway &gateway, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Replaces every row (newest first).
    void reset(std::vector<Event> events);
    // Adds older events (newest first) below the last row.
    void appendOlder(std::vector<Event> events);
    // Adds newer events (newest first) above the first row; the subjects
    // and actors they touch are looked up again (a title may have changed).
    void prependNewer(std::vector<Event> events);

    const Event &eventAt(int row) const { return m_events.at(size_t(row)); }
    bool isEmpty() const { return m_events.empty(); }
    qint64 newestSeq() const { return m_events.empty() ? 0 : m_events.front().localSeq; }
    qint64 oldestSeq() const { return m_events.empty() ? 0 : m_events.back().localSeq; }

    // "Ann Lee" (admins), "you", a short id, or "system" for an empty actor.
    QString actorName(const QString &actorId) const;
    // The item's title, category's or person's name when known, else the stream.
    QString subjectName(const QString &stream) const;
    // Drops the resolved names (the signed-in person changed).
    void forgetNames();

private:
    void resolve(const Event &event);
    void resolveSubject(const QString &stream);
    void namesArrived(int column);

    ServiceGateway &m_gateway;
    std::vector<Event> m_events;
    QHash<QString, QString> m_subjects; // stream -> title or name
    QSet<QString> m_asked;              // "a:<id>" / "s:<stream>" lookups in flight
    int m_namesGeneration = 0;          // bumped by forgetNames: late answers are dropped
};

} // namespace colophon
