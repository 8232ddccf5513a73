// SPDX-License-Identifier: MIT
// How content events replicate (private to services/content): the content
// service's ReplicationHandler. Applying is the projection's own apply, so
// pulled events go through exactly the code local ones do. Validating a
// pushed event re-runs the service's own checks (authorization, the
// workflow's state machine, field validation, slug uniqueness) as the
// authenticated principal against the server's current state; a body edited
// from an older version is merged line by line when the edits do not overlap,
// and otherwise the last writer's text stays and a conflict record keeps the
// other, so every replica holds the same conflicts.
#pragma once

#include "backend/events/replication.h"

namespace colophon {

class ContentService;
struct ContentItem;
struct Actor;

class ContentReplication final : public ReplicationHandler
{
public:
    explicit ContentReplication(ContentService &service) : m_service(service) {}

    bool handles(const QString &eventType) const override;
    Result<void> apply(Transaction &tx, const Event &event) override;
    Result<void> reset(Transaction &tx, const QString &stream) override;
    Result<std::vector<NewEvent>> validate(Transaction &tx, const Principal &principal,
                                           const Event &event) override;
    Visibility visibility(Transaction &tx, const Principal &principal, const Event &event) override;
    std::vector<SnapshotTable> snapshotTables() const override;
    void snapshotInstalled(Transaction &tx) override;

private:
    Result<std::vector<NewEvent>> validateCreate(Transaction &tx, const Actor &actor,
                                                 const Event &event);
    Result<std::vector<NewEvent>> validateChange(Transaction &tx, const Actor &actor,
                                                 const ContentItem &current, const Event &event);
    Result<std::vector<NewEvent>> mergeBody(Transaction &tx, const ContentItem &current,
                                            const Event &event);
    Result<std::vector<NewEvent>> validateCategory(Transaction &tx, const Actor &actor,
                                                   const Event &event);

    ContentService &m_service;
};

} // namespace colophon
