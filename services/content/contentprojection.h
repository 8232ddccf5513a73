// SPDX-License-Identifier: MIT
// The content projection (private to services/content): its tables and the
// one function that applies a content event to them.
//
// apply() is what every change goes through: the service's own commands now,
// events pulled from the server later. It is idempotent (by event id and by
// stamp) and order-independent: every scalar field keeps the hybrid-logical-
// clock stamp of the value it holds and takes a value only from a later
// stamp; tags and categories are sets of add/remove stamps (present while the
// newest add is later than the newest remove); a deletion is a tombstone that
// nothing undoes; a version is the change an event made, numbered by stamp.
// Two databases that apply the same events in any order, any number of times,
// hold the same rows.
#pragma once

#include "backend/core/error.h"

#include <nlohmann/json.hpp>

namespace colophon {

class MigrationRegistry;
class Transaction;
struct Event;

namespace contentevents {
inline constexpr char kCreated[] = "ContentCreated";
inline constexpr char kUpdated[] = "ContentUpdated";
inline constexpr char kStatusChanged[] = "ContentStatusChanged";
inline constexpr char kPublished[] = "ContentPublished";
inline constexpr char kVersionRestored[] = "ContentVersionRestored";
inline constexpr char kDeleted[] = "ContentDeleted";
inline constexpr char kLinked[] = "ContentLinked";
inline constexpr char kUnlinked[] = "ContentUnlinked";
inline constexpr char kCategoryCreated[] = "CategoryCreated";
inline constexpr char kCategoryUpdated[] = "CategoryUpdated";
inline constexpr char kCategoryDeleted[] = "CategoryDeleted";
inline constexpr char kConflictRecorded[] = "ContentConflictRecorded";
inline constexpr char kConflictResolved[] = "ContentConflictResolved";
} // namespace contentevents

class ContentProjection final
{
public:
    static void registerMigrations(MigrationRegistry &registry);
    // True for the event types this projection applies.
    static bool handles(const QString &eventType);

    // What a version records of its event's payload: {changes, tagsAdded,
    // ...}. A version row keeps it empty and reads it from the logged event
    // (versionChangeSql), so the body is not stored once more per version;
    // rows written before keep their own copy.
    static nlohmann::json versionChange(const nlohmann::json &payload);
    // The columns "change" and "payload" for content_versions aliased v,
    // joined to its event: SELECT ... FROM <this> WHERE ...
    static QString versionChangeSql();
    // The change of a row read with versionChangeSql's two columns.
    static nlohmann::json versionChange(const QString &change, const QString &payload);
    Result<void> apply(Transaction &tx, const Event &event) const;
    // Forgets every row the stream's events made (an item with its sets,
    // versions, outgoing links and conflicts, or a category).
    static Result<void> reset(Transaction &tx, const QString &stream);

private:
    Result<void> applyItem(Transaction &tx, const Event &event) const;
    Result<void> applyCategory(Transaction &tx, const Event &event) const;
    Result<void> applyLink(Transaction &tx, const Event &event) const;
    Result<void> applyConflict(Transaction &tx, const Event &event) const;
};

} // namespace colophon
