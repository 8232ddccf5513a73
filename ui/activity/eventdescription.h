// SPDX-License-Identifier: MIT
// Plain-language descriptions of domain events for the activity view: what a
// person did, in the words the console uses ("created article “Title”",
// "changed title, tags (+news)", "moved from draft to review: looks good").
#pragma once

#include "backend/events/event.h"

#include <QString>

namespace colophon {

// What the event did, lower case, without who or when. Unknown types are
// described by their name ("SomethingHappened" -> "something happened").
QString eventDescription(const Event &event);

// The broad kind of an event's subject, from its stream: "content",
// "category", "user", or the stream's first segment.
QString eventStreamKind(const QString &stream);

// The id after the stream's kind ("content/<id>" -> "<id>"), or the stream.
QString eventStreamId(const QString &stream);

// The first 8 characters of an id: enough to tell ids apart at a glance.
QString shortId(const QString &id);

} // namespace colophon
