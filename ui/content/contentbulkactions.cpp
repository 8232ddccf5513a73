// SPDX-License-Identifier: MIT
// The content list's bulk actions: done item by item through the content
// service inside one gateway job, then summed up in one sentence.
#include "ui/content/contentbulkactions.h"

#include "ui/core/messagebar.h"

#include <QLocale>
#include <QMap>

namespace colophon {

namespace {

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("colophon::ContentBulkActions", text, nullptr, n);
}

QString quoted(const QString &text)
{
    return QStringLiteral("“%1”").arg(text);
}

QString itemCount(int n)
{
    return n == 1 ? tr("1 item") : tr("%1 items").arg(QLocale().toString(n));
}

QString statusWord(ContentStatus status)
{
    switch (status) {
    case ContentStatus::Draft:
        return tr("a draft");
    case ContentStatus::Review:
        return tr("in review");
    case ContentStatus::Published:
        return tr("published");
    case ContentStatus::Archived:
        return tr("archived");
    }
    return {};
}

// Reads the selected rows that were not loaded, through the listing's own
// query, a page at a time.
void resolveRows(ContentService &content, const Actor &actor, BulkOperation &op,
                 std::vector<BulkOutcome> &outcomes)
{
    constexpr int kPage = 100;
    QMap<qint64, std::vector<qint64>> byPage;
    for (qint64 row : op.unloaded.rows) {
        byPage[row / kPage].push_back(row);
    }
    for (auto it = byPage.cbegin(); it != byPage.cend(); ++it) {
        ContentQuery query = op.unloaded.query;
        query.offset = it.key() * kPage;
        query.limit = kPage;
        auto page = content.list(actor, query);
        for (qint64 row : it.value()) {
            const qint64 at = row - query.offset;
            if (!page) {
                outcomes.push_back({QString(), tr("Row %1").arg(row + 1), {}, page.error()});
            } else if (at < static_cast<qint64>(page->items.size())) {
                const ContentItem &item = page->items[static_cast<size_t>(at)];
                op.targets.push_back({item.id, item.title, op.status});
            } else {
                outcomes.push_back({QString(),
                                    tr("Row %1").arg(row + 1),
                                    {},
                                    Error::notFound(tr("it is no longer in the list"))});
            }
        }
    }
    op.unloaded.rows.clear();
}

Result<void> applyOne(ContentService &content, const Actor &actor, const BulkOperation &op,
                      const BulkTarget &target, BulkOutcome &outcome)
{
    if (op.kind == BulkKind::Delete) {
        auto current = content.get(actor, target.id);
        if (current) {
            outcome.before = current->status;
        }
        return content.remove(actor, target.id);
    }
    auto current = content.get(actor, target.id);
    if (!current) {
        return fail(current.error());
    }
    outcome.before = current->status;
    outcome.title = current->title;
    ContentChange change;
    switch (op.kind) {
    case BulkKind::SetStatus:
        if (current->status == target.targetStatus) {
            return fail(Error::conflict(tr("it is already %1").arg(statusWord(current->status))));
        }
        change.status = target.targetStatus;
        change.comment = op.comment;
        break;
    case BulkKind::AddTag:
        if (current->tags.contains(op.tag)) {
            return fail(Error::conflict(tr("it already has the tag")));
        }
        change.tags = current->tags + QStringList{op.tag};
        break;
    case BulkKind::RemoveTag: {
        if (!current->tags.contains(op.tag)) {
            return fail(Error::conflict(tr("it no longer has the tag")));
        }
        QStringList tags = current->tags;
        tags.removeAll(op.tag);
        change.tags = tags;
        break;
    }
    case BulkKind::Delete:
        break;
    }
    auto updated = content.update(actor, target.id, change);
    if (!updated) {
        return fail(updated.error());
    }
    return {};
}

} // namespace

int BulkReport::succeeded() const
{
    int n = 0;
    for (const auto &o : outcomes) {
        n += o.error ? 0 : 1;
    }
    return n;
}

int BulkReport::failed() const
{
    return attempted() - succeeded();
}

BulkReport runBulk(ContentService &content, const Actor &actor, BulkOperation operation)
{
    BulkReport report;
    if (!operation.unloaded.rows.empty()) {
        resolveRows(content, actor, operation, report.outcomes);
    }
    for (const BulkTarget &target : operation.targets) {
        BulkOutcome outcome{target.id, target.title, {}, {}};
        if (auto done = applyOne(content, actor, operation, target, outcome); !done) {
            outcome.error = done.error();
        }
        report.outcomes.push_back(std::move(outcome));
    }
    report.operation = std::move(operation);
    return report;
}

std::optional<BulkOperation> undoFor(const BulkReport &report, Role role)
{
    const BulkOperation &done = report.operation;
    BulkOperation undo;
    undo.undoOf = bulkVerb(done);
    switch (done.kind) {
    case BulkKind::Delete:
        return std::nullopt;
    case BulkKind::AddTag:
        undo.kind = BulkKind::RemoveTag;
        undo.tag = done.tag;
        break;
    case BulkKind::RemoveTag:
        undo.kind = BulkKind::AddTag;
        undo.tag = done.tag;
        break;
    case BulkKind::SetStatus:
        undo.kind = BulkKind::SetStatus;
        undo.comment = tr("Undone from the content list");
        break;
    }
    QHash<QString, ContentStatus> moved;
    for (const auto &target : done.targets) {
        moved.insert(target.id, target.targetStatus);
    }
    for (const BulkOutcome &outcome : report.outcomes) {
        if (outcome.error || outcome.id.isEmpty()) {
            continue;
        }
        if (done.kind == BulkKind::SetStatus) {
            const ContentStatus now = moved.value(outcome.id, done.status);
            const auto action = transitionAction(now, outcome.before);
            if (!action || !isAllowed(role, *action)) {
                continue;
            }
        }
        undo.targets.push_back({outcome.id, outcome.title, outcome.before});
    }
    if (undo.targets.empty()) {
        return std::nullopt;
    }
    return undo;
}

QString bulkVerb(const BulkOperation &operation)
{
    if (!operation.undoOf.isEmpty() && operation.kind == BulkKind::SetStatus) {
        return tr("Move back");
    }
    switch (operation.kind) {
    case BulkKind::SetStatus: {
        const ContentStatus to =
            operation.targets.empty() ? operation.status : operation.targets.front().targetStatus;
        switch (to) {
        case ContentStatus::Review:
            return tr("Submit for review");
        case ContentStatus::Published:
            return tr("Publish");
        case ContentStatus::Archived:
            return tr("Archive");
        case ContentStatus::Draft:
            return tr("Move back to draft");
        }
        return {};
    }
    case BulkKind::AddTag:
        return tr("Tag");
    case BulkKind::RemoveTag:
        return tr("Remove the tag");
    case BulkKind::Delete:
        return tr("Delete");
    }
    return {};
}

QString bulkSummary(const BulkReport &report)
{
    const BulkOperation &op = report.operation;
    const int total = report.attempted();
    const int ok = report.succeeded();
    if (total == 0) {
        return tr("Nothing was selected.");
    }
    // "%1": how many were done ("5 items" or "3 of 5"); "%2": the tag.
    QString pattern;
    switch (op.kind) {
    case BulkKind::SetStatus:
        if (!op.undoOf.isEmpty()) {
            pattern = tr("Moved %1 back");
            break;
        }
        switch (op.targets.empty() ? op.status : op.targets.front().targetStatus) {
        case ContentStatus::Review:
            pattern = tr("Submitted %1 for review");
            break;
        case ContentStatus::Published:
            pattern = tr("Published %1");
            break;
        case ContentStatus::Archived:
            pattern = tr("Archived %1");
            break;
        case ContentStatus::Draft:
            pattern = tr("Moved %1 back to draft");
            break;
        }
        break;
    case BulkKind::AddTag:
        pattern = tr("Tagged %1 %2");
        break;
    case BulkKind::RemoveTag:
        pattern = tr("Removed %2 from %1");
        break;
    case BulkKind::Delete:
        pattern = tr("Deleted %1");
        break;
    }
    const QString count = ok == total ? itemCount(total) : tr("%1 of %2").arg(ok).arg(total);
    QString text = pattern.contains(QLatin1String("%2")) ? pattern.arg(count, quoted(op.tag))
                                                         : pattern.arg(count);
    if (ok == total) {
        return text + u'.';
    }
    constexpr int kListed = 5;
    QStringList reasons;
    for (const BulkOutcome &outcome : report.outcomes) {
        if (!outcome.error) {
            continue;
        }
        if (reasons.size() == kListed) {
            reasons << tr("and %n more", report.failed() - kListed);
            break;
        }
        const QString name = outcome.title.isEmpty() ? outcome.id : outcome.title;
        reasons << QStringLiteral("%1 — %2").arg(quoted(name),
                                                 MessageBar::describe(*outcome.error));
    }
    return text + tr("; %n could not be: ", report.failed()) + reasons.join(QStringLiteral("; ")) +
           u'.';
}

} // namespace colophon
