// SPDX-License-Identifier: MIT
// The content list's bulk actions as plain values and one worker-side
// function: what to do to which items, each item's outcome, the undo that
// the service allows, and the sentence that reports it. No widgets here:
// runBulk() runs inside one gateway job, off the UI thread.
#pragma once

#include "services/content/contentservice.h"

#include <QCoreApplication>
#include <optional>
#include <vector>

namespace colophon {

enum class BulkKind {
    SetStatus, // each target moves to its targetStatus
    AddTag,
    RemoveTag,
    Delete,
};

struct BulkTarget
{
    QString id;
    QString title;
    ContentStatus targetStatus = ContentStatus::Draft; // SetStatus only
};

// Rows of the listing that were selected but not loaded: the job reads them
// through the same query before acting.
struct BulkRows
{
    ContentQuery query; // the listing's filter and sort
    std::vector<qint64> rows;
};

struct BulkOperation
{
    BulkKind kind = BulkKind::SetStatus;
    QString tag;     // AddTag, RemoveTag
    QString comment; // recorded with a status change (an undo names itself)
    std::vector<BulkTarget> targets;
    BulkRows unloaded;      // resolved to targets in the job
    ContentStatus status{}; // the target status for unloaded rows (SetStatus)
    QString undoOf;         // set on an undo: its own verb
};

struct BulkOutcome
{
    QString id;
    QString title;
    ContentStatus before = ContentStatus::Draft; // the status it had
    std::optional<Error> error;                  // why it was not done
};

struct BulkReport
{
    BulkOperation operation;
    std::vector<BulkOutcome> outcomes;
    int succeeded() const;
    int failed() const;
    int attempted() const { return static_cast<int>(outcomes.size()); }
};

// Does the operation, item by item (an item's failure does not stop the
// others); the service decides every permission and move.
BulkReport runBulk(ContentService &content, const Actor &actor, BulkOperation operation);

// The undo the service would allow for what succeeded, for a role:
// status changes back to each item's previous status where the workflow has
// that move and the role may make it; an added tag removed again. Nullopt
// when nothing can be undone (deletion never can).
std::optional<BulkOperation> undoFor(const BulkReport &report, Role role);

// "Published 5 items." or "Published 3 of 5; 2 could not be: “A” — reason; …".
QString bulkSummary(const BulkReport &report);

// The verb of an operation, for confirmations and summaries: "Publish",
// "Submit for review", "Archive", "Tag", "Delete", "Move back".
QString bulkVerb(const BulkOperation &operation);

} // namespace colophon
