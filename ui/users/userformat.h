// SPDX-License-Identifier: MIT
// How the users pages word things: roles, statuses, times in the viewer's
// time zone, session devices, and a readable line for each event of a
// user's recent activity.
#pragma once

#include "backend/auth/permissions.h"
#include "backend/events/event.h"

#include <QHash>
#include <QString>

namespace colophon::userui {

QString roleLabel(Role role);
QString statusLabel(const QString &status);
// "2026-11-24 10:02" in the IANA zone given (UTC when unknown); "—" for 0.
QString formatTime(qint64 ms, const QString &timezone);
// The user agent, or "Unknown device" when the session did not say.
QString deviceLabel(const QString &userAgent);
// A secret grouped in fours for reading aloud or typing: "ABCD EFGH ...".
QString groupedInFours(const QString &text);

// What the activity line needs besides the event: who ids are (emails) and
// the titles of content items.
struct ActivityNames
{
    QHash<QString, QString> people; // user id -> email
    QHash<QString, QString> titles; // content id -> title
};

// "signed in", "role changed to editor by admin@example.org", "created
// “Spring menu”"; subjectId is the user whose activity is shown.
QString describeEvent(const Event &event, const QString &subjectId, const ActivityNames &names);

} // namespace colophon::userui
