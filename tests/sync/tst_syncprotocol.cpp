// SPDX-License-Identifier: MIT
// The sync protocol's rules, one case each, over an in-process server and
// replicas on real SQLite files: exactly-once by device mark, gaps, refusals
// that never block what follows, the server deciding as the authenticated
// account, visibility by role, scope changes, body merges and conflicts,
// and slugs taken while offline.

#include "backend/events/uuidv7.h"
#include "tests/sync/syncfixture.h"

#include <QTest>

using namespace colophon;
using namespace syncfixture;

class SyncProtocol : public QObject
{
    Q_OBJECT

private slots:
    void helloRefusesAnIncompatibleReplica();
    void pushIsExactlyOnceWhateverIsRepeated();
    void aGapStopsTheBatch();
    void aForgedActorIsRefusedAndTheEventsAfterItStillLand();
    void aRefusedChangeIsUndoneOnTheReplica();
    void aConsumerCannotPushContent();
    void aCreatorNeverReceivesAnotherCreatorsDrafts();
    void aRoleChangeMakesTheReplicaRefetchOnce();
    void concurrentBodyEditsOnDifferentLinesMerge();
    void overlappingBodyEditsKeepTheLaterAndRecordAConflict();
    void aSlugTakenWhileOfflineIsRenamedNotLost();
    void pendingLocalEditsSurviveAPull();
    void aLostScopeChangeIsAskedAgain();
    void aClockFarAheadIsRestampedAndItsEventsLand();
    void changesMadeBeforePairingArePushedOnlyOnceAdopted();
    void verifyFindsAReplicaThatDiverged();
};

namespace {

ContentDraft draft(const QString &title, const QString &body = QStringLiteral("a\nb\nc\n"))
{
    ContentDraft d;
    d.title = title;
    d.body = body;
    return d;
}

// A push of the given events as the replica's device would send them.
nlohmann::json pushOf(const Replica &r, const std::vector<Event> &events, qint64 prev)
{
    nlohmann::json list = nlohmann::json::array();
    for (const Event &e : events) {
        list.push_back({{"dseq", e.localSeq}, {"prev", prev}, {"event", e.toWire()}});
        prev = e.localSeq;
    }
    return {{"replicaId", r.node->log->replicaId().toStdString()}, {"events", list}};
}

} // namespace

void SyncProtocol::helloRefusesAnIncompatibleReplica()
{
    World w(1);
    auto ok = w.sync->hello({{"protocol", sync::kProtocolVersion}});
    QVERIFY2(ok, qPrintable(why(ok)));
    QCOMPARE((*ok)["protocol"].get<int>(), sync::kProtocolVersion);
    QVERIFY((*ok)["limits"]["pushEvents"].get<int>() > 0);
    auto newer = w.sync->hello({{"protocol", sync::kProtocolVersion + 1}});
    QVERIFY(!newer);
    QCOMPARE(newer.error().code, ErrorCode::Conflict);
    QVERIFY2(newer.error().message.contains(QLatin1String("update the server")),
             qPrintable(newer.error().message));
    auto none = w.sync->hello(nlohmann::json::object());
    QVERIFY(!none);
    QCOMPARE(none.error().field, QStringLiteral("protocol"));
}

void SyncProtocol::pushIsExactlyOnceWhateverIsRepeated()
{
    World w(2);
    Replica &r = w.add(Role::Editor);
    QVERIFY(r.node->content->create(r.actor, draft(QStringLiteral("One"))));
    QVERIFY(r.node->content->create(r.actor, draft(QStringLiteral("Two"))));
    auto pending = r.node->log->pending(10);
    QVERIFY(pending);
    QCOMPARE(pending->size(), size_t(2));
    const nlohmann::json request = pushOf(r, *pending, 0);

    auto first = w.sync->push(Principal{r.actor.userId, Role::Editor}, request);
    QVERIFY2(first, qPrintable(why(first)));
    QCOMPARE((*first)["results"][0]["status"].get<std::string>(), std::string("applied"));
    const qint64 seq = (*first)["results"][0]["serverSeq"].get<qint64>();
    auto again = w.sync->push(Principal{r.actor.userId, Role::Editor}, request);
    QVERIFY(again);
    QCOMPARE((*again)["results"][0]["status"].get<std::string>(), std::string("duplicate"));
    QCOMPARE((*again)["results"][0]["serverSeq"].get<qint64>(), seq);
    QCOMPARE((*again)["mark"].get<qint64>(), pending->back().localSeq);
    auto count = w.server->log->count();
    QVERIFY(count);
    QCOMPARE(*count, 2);

    // The replica never saw the answers: it pushes again and is told the same.
    auto report = r.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->duplicates, 2);
    QCOMPARE(report->pending, 0);
    QCOMPARE(r.node->checksum(), w.server->checksum());
}

void SyncProtocol::aGapStopsTheBatch()
{
    World w(3);
    Replica &r = w.add(Role::Editor);
    for (const char *t : {"One", "Two", "Three"}) {
        QVERIFY(r.node->content->create(r.actor, draft(QLatin1String(t))));
    }
    auto pending = r.node->log->pending(10);
    QVERIFY(pending && pending->size() == 3);
    // The first event went missing: the rest must wait for it.
    std::vector<Event> later{(*pending)[1], (*pending)[2]};
    auto answer = w.sync->push(Principal{r.actor.userId, Role::Editor},
                               pushOf(r, later, (*pending)[0].localSeq));
    QVERIFY2(answer, qPrintable(why(answer)));
    QCOMPARE((*answer)["results"][0]["status"].get<std::string>(), std::string("deferred"));
    QCOMPARE((*answer)["results"][0]["code"].get<std::string>(), std::string("gap"));
    QCOMPARE((*answer)["results"][1]["status"].get<std::string>(), std::string("deferred"));
    QCOMPARE((*answer)["mark"].get<qint64>(), 0);
    auto report = r.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->pushed, 3);
}

void SyncProtocol::aForgedActorIsRefusedAndTheEventsAfterItStillLand()
{
    World w(4);
    Replica &r = w.add(Role::Editor);
    QVERIFY(r.node->content->create(r.actor, draft(QStringLiteral("Mine"))));
    // An event claiming to be someone else's, then an honest one.
    const Actor someone{QUuid::createUuid().toString(QUuid::WithoutBraces), Role::Admin, {}};
    QVERIFY(r.node->content->create(someone, draft(QStringLiteral("Forged"))));
    QVERIFY(r.node->content->create(r.actor, draft(QStringLiteral("After"))));
    auto report = r.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->pushed, 2);
    QCOMPARE(report->rejected, 1);
    QVERIFY2(report->refusals.value(0).contains(QLatin1String("another actor")),
             qPrintable(report->refusals.join(u'\n')));
    // Undone here as well: both sides hold the two honest items only.
    QCOMPARE(r.node->items().size(), 2);
    QCOMPARE(r.node->checksum(), w.server->checksum());
    auto refused = r.node->log->rejected(10);
    QVERIFY(refused && refused->size() == 1);
    QCOMPARE(refused->front().rejection["code"].get<std::string>(),
             std::string("permission-denied"));
}

void SyncProtocol::aRefusedChangeIsUndoneOnTheReplica()
{
    World w(5);
    Replica &editor = w.add(Role::Editor);
    Replica &creator = w.add(Role::Creator);
    auto item = creator.node->content->create(creator.actor, draft(QStringLiteral("Draft")));
    QVERIFY(item);
    QVERIFY(syncAll(w));
    // The editor publishes while the creator, offline, retitles the draft:
    // creators edit drafts only, so the server refuses the retitle.
    ContentChange publish;
    publish.status = ContentStatus::Review;
    QVERIFY(creator.node->content->update(creator.actor, item->id, publish));
    QVERIFY(creator.engine->sync());
    QVERIFY(editor.engine->sync());
    publish.status = ContentStatus::Published;
    QVERIFY(editor.node->content->update(editor.actor, item->id, publish));
    QVERIFY(editor.engine->sync());
    // Offline, the creator still sees "review"... and cannot edit; forge a
    // draft-time edit by moving back locally first is not allowed either, so
    // the creator's edit is made while its replica still believed "draft":
    // replay it by hand as an event the server must judge now.
    EventLog &log = *creator.node->log;
    auto made = creator.node->db->transact([&](Transaction &tx) -> Result<void> {
        auto e = log.append(
            tx, NewEvent{QStringLiteral("ContentUpdated"),
                         QStringLiteral("content/") + item->id,
                         {{"id", item->id.toStdString()}, {"changes", {{"title", "Sneaky"}}}},
                         creator.actor.userId});
        if (!e) {
            return fail(e.error());
        }
        return creator.node->content->replication().apply(tx, *e);
    });
    QVERIFY2(made, qPrintable(why(made)));
    QCOMPARE(creator.node->content->get(creator.actor, item->id)->title, QStringLiteral("Sneaky"));
    auto report = creator.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->rejected, 1);
    auto now = creator.node->content->get(creator.actor, item->id);
    QVERIFY(now);
    QCOMPARE(now->title, QStringLiteral("Draft"));
    QCOMPARE(now->status, ContentStatus::Published);
    QVERIFY(syncAll(w));
    QCOMPARE(editor.node->checksum(), w.server->checksum());
}

void SyncProtocol::aConsumerCannotPushContent()
{
    World w(6);
    Replica &consumer = w.add(Role::Consumer);
    // A consumer's service would refuse; its replica's log is forged directly.
    const Actor asAdmin{consumer.actor.userId, Role::Admin, {}};
    QVERIFY(consumer.node->content->create(asAdmin, draft(QStringLiteral("Nope"))));
    auto report = consumer.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->rejected, 1);
    QCOMPARE(consumer.node->items().size(), 0);
    QCOMPARE(w.server->items().size(), 0);
}

void SyncProtocol::aCreatorNeverReceivesAnotherCreatorsDrafts()
{
    World w(7);
    Replica &alice = w.add(Role::Creator);
    Replica &bob = w.add(Role::Creator);
    Replica &editor = w.add(Role::Editor);
    auto secret = alice.node->content->create(alice.actor, draft(QStringLiteral("Alice's draft")));
    QVERIFY(secret);
    ContentChange body;
    body.body = QStringLiteral("still secret\n");
    QVERIFY(alice.node->content->update(alice.actor, secret->id, body));
    QVERIFY(syncAll(w));
    QVERIFY(!bob.node->items().contains(secret->id));
    auto bobsLog = execSql(bob.node->db->connection(),
                           QStringLiteral("SELECT COUNT(*) FROM event_log WHERE stream = ?"),
                           {QStringLiteral("content/") + secret->id});
    QVERIFY(bobsLog && bobsLog->next());
    QCOMPARE(bobsLog->value(0).toInt(), 0);
    QVERIFY(editor.node->items().contains(secret->id));

    // Published, it reaches Bob with its whole history, so his copy is whole.
    ContentChange move;
    move.status = ContentStatus::Published;
    QVERIFY(editor.node->content->update(editor.actor, secret->id, move));
    QVERIFY(syncAll(w));
    auto seen = bob.node->content->get(bob.actor, secret->id);
    QVERIFY2(seen, qPrintable(why(seen)));
    QCOMPARE(seen->body, QStringLiteral("still secret\n"));
    QCOMPARE(seen->title, QStringLiteral("Alice's draft"));
}

void SyncProtocol::aRoleChangeMakesTheReplicaRefetchOnce()
{
    World w(8);
    Replica &alice = w.add(Role::Creator);
    Replica &bob = w.add(Role::Creator);
    QVERIFY(alice.node->content->create(alice.actor, draft(QStringLiteral("Hidden"))));
    QVERIFY(syncAll(w));
    QCOMPARE(bob.node->items().size(), 0);
    bob.link->principal().role = Role::Editor; // an admin promoted Bob
    auto report = bob.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QVERIFY(report->refetched);
    QCOMPARE(bob.node->items().size(), 1);
    auto again = bob.engine->sync();
    QVERIFY(again);
    QVERIFY(!again->refetched);
    auto account = bob.engine->account();
    QVERIFY(account);
    QCOMPARE((*account)["role"].get<std::string>(), std::string("editor"));
}

void SyncProtocol::concurrentBodyEditsOnDifferentLinesMerge()
{
    World w(9);
    Replica &a = w.add(Role::Editor);
    Replica &b = w.add(Role::Editor);
    auto item = a.node->content->create(
        a.actor, draft(QStringLiteral("Shared"), QStringLiteral("one\ntwo\nthree\nfour\n")));
    QVERIFY(item);
    QVERIFY(syncAll(w));
    ContentChange first;
    first.body = QStringLiteral("ONE\ntwo\nthree\nfour\n");
    QVERIFY(a.node->content->update(a.actor, item->id, first));
    w.nowMs += 10;
    ContentChange second;
    second.body = QStringLiteral("one\ntwo\nthree\nFOUR\n");
    QVERIFY(b.node->content->update(b.actor, item->id, second));
    QVERIFY(syncAll(w));
    for (Node *n : {a.node.get(), b.node.get(), w.server.get()}) {
        auto got = n->content->get(a.actor, item->id);
        QVERIFY(got);
        QCOMPARE(got->body, QStringLiteral("ONE\ntwo\nthree\nFOUR\n"));
    }
    auto open = a.node->content->conflicts(a.actor, item->id);
    QVERIFY(open && open->empty());
    QCOMPARE(a.node->checksum(), w.server->checksum());
    QCOMPARE(b.node->checksum(), w.server->checksum());
}

void SyncProtocol::overlappingBodyEditsKeepTheLaterAndRecordAConflict()
{
    World w(10);
    Replica &a = w.add(Role::Editor);
    Replica &b = w.add(Role::Editor);
    auto item = a.node->content->create(
        a.actor, draft(QStringLiteral("Shared"), QStringLiteral("one\ntwo\nthree\n")));
    QVERIFY(item);
    QVERIFY(syncAll(w));
    ContentChange first;
    first.body = QStringLiteral("one\nTWO by a\nthree\n");
    QVERIFY(a.node->content->update(a.actor, item->id, first));
    w.nowMs += 10;
    ContentChange second;
    second.body = QStringLiteral("one\nTWO by b\nthree\n");
    QVERIFY(b.node->content->update(b.actor, item->id, second));
    QVERIFY(syncAll(w));
    for (Node *n : {a.node.get(), b.node.get(), w.server.get()}) {
        auto got = n->content->get(a.actor, item->id);
        QVERIFY(got);
        QCOMPARE(got->body, QStringLiteral("one\nTWO by b\nthree\n")); // the later stamp
        auto open = n->content->conflicts(a.actor, item->id);
        QVERIFY2(open, qPrintable(why(open)));
        QCOMPARE(open->size(), size_t(1));
        QCOMPARE(open->front().losingText, QStringLiteral("one\nTWO by a\nthree\n"));
    }
    // Settling it is an event too, and reaches everyone.
    auto open = a.node->content->conflicts(a.actor, item->id);
    QVERIFY(a.node->content->resolveConflict(a.actor, item->id, open->front().id,
                                             QStringLiteral("one\nTWO by both\nthree\n")));
    QVERIFY(syncAll(w));
    for (Node *n : {a.node.get(), b.node.get(), w.server.get()}) {
        auto left = n->content->conflicts(a.actor, item->id);
        QVERIFY(left && left->empty());
        QCOMPARE(n->content->get(a.actor, item->id)->body,
                 QStringLiteral("one\nTWO by both\nthree\n"));
    }
    QCOMPARE(b.node->checksum(), w.server->checksum());
}

void SyncProtocol::aSlugTakenWhileOfflineIsRenamedNotLost()
{
    World w(11);
    Replica &a = w.add(Role::Editor);
    Replica &b = w.add(Role::Editor);
    auto first = a.node->content->create(a.actor, draft(QStringLiteral("Same Title")));
    auto second = b.node->content->create(b.actor, draft(QStringLiteral("Same Title")));
    QVERIFY(first && second);
    QCOMPARE(first->slug, second->slug);
    QVERIFY(syncAll(w));
    auto one = w.server->content->get(a.actor, first->id);
    auto two = w.server->content->get(a.actor, second->id);
    QVERIFY(one && two);
    QVERIFY(one->slug != two->slug);
    QCOMPARE(b.node->content->get(b.actor, second->id)->slug, two->slug);
    QCOMPARE(a.node->checksum(), w.server->checksum());
}

void SyncProtocol::pendingLocalEditsSurviveAPull()
{
    World w(12);
    Replica &a = w.add(Role::Editor);
    Replica &b = w.add(Role::Editor);
    auto item = a.node->content->create(a.actor, draft(QStringLiteral("Base")));
    QVERIFY(item);
    QVERIFY(syncAll(w));
    ContentChange remote;
    remote.description = QStringLiteral("from a");
    QVERIFY(a.node->content->update(a.actor, item->id, remote));
    QVERIFY(a.engine->sync());
    w.nowMs += 10;
    ContentChange local;
    local.title = QStringLiteral("from b, not yet pushed");
    QVERIFY(b.node->content->update(b.actor, item->id, local));
    auto pulled = b.engine->pull();
    QVERIFY2(pulled, qPrintable(why(pulled)));
    QCOMPARE(pulled->pending, 1);
    auto got = b.node->content->get(b.actor, item->id);
    QCOMPARE(got->title, QStringLiteral("from b, not yet pushed"));
    QCOMPARE(got->description, QStringLiteral("from a"));
    QVERIFY(syncAll(w));
    QCOMPARE(a.node->checksum(), w.server->checksum());
    QCOMPARE(b.node->checksum(), w.server->checksum());
}

void SyncProtocol::aLostScopeChangeIsAskedAgain()
{
    World w(15);
    Replica &alice = w.add(Role::Creator);
    Replica &bob = w.add(Role::Creator);
    QVERIFY(alice.node->content->create(alice.actor, draft(QStringLiteral("Hidden"))));
    QVERIFY(syncAll(w));
    bob.link->principal().role = Role::Editor;
    w.network->faults.dropAnswer = 1.0; // the answer saying "start over" is lost
    QVERIFY(!bob.engine->pull());
    w.network->faults = {};
    auto report = bob.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QVERIFY(report->refetched);
    QCOMPARE(bob.node->items().size(), 1);
}

void SyncProtocol::aClockFarAheadIsRestampedAndItsEventsLand()
{
    World w(16);
    const qint64 tenMinutes = 10 * 60 * 1000;
    Replica &r = w.add(Role::Editor, tenMinutes);
    auto item = r.node->content->create(r.actor, draft(QStringLiteral("Ahead")));
    QVERIFY(item);
    auto report = r.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->pushed, 1);
    QCOMPARE(report->deferred, 0);
    QCOMPARE(report->pending, 0);
    const auto newest = [](Node &n) {
        auto q = execSql(n.db->connection(), QStringLiteral("SELECT MAX(hlc) FROM event_log"));
        return q && q->next() ? Hlc::parse(q->value(0).toString()).value_or(Hlc{}).physicalMs : 0;
    };
    QVERIFY(newest(*w.server) <= w.nowMs + 60'000);
    QCOMPARE(r.node->checksum(), w.server->checksum());
    // The correction holds for what comes next: no more deferrals.
    ContentChange later;
    later.title = QStringLiteral("Later");
    QVERIFY(r.node->content->update(r.actor, item->id, later));
    auto again = r.engine->sync();
    QVERIFY(again);
    QCOMPARE(again->pushed, 1);
    QCOMPARE(again->deferred, 0);
    QVERIFY(newest(*r.node) <= w.nowMs + 60'000);
    QCOMPARE(r.node->checksum(), w.server->checksum());
}

void SyncProtocol::changesMadeBeforePairingArePushedOnlyOnceAdopted()
{
    World w(17);
    Replica &r = w.add(Role::Editor);
    // The replica's own local account, before it was paired with the server.
    const Actor local{QUuid::createUuid().toString(QUuid::WithoutBraces), Role::Admin, {}};
    auto item = r.node->content->create(local, draft(QStringLiteral("Written offline")));
    QVERIFY(item);
    QVERIFY(r.engine->hello());
    QVERIFY(r.engine->pull());
    auto foreign = r.engine->foreignPending();
    QVERIFY2(foreign, qPrintable(why(foreign)));
    QCOMPARE(*foreign, 1);
    auto adopted = r.engine->adoptPending(r.actor.userId);
    QVERIFY2(adopted, qPrintable(why(adopted)));
    QCOMPARE(*adopted, 1);
    auto report = r.engine->sync();
    QVERIFY2(report, qPrintable(why(report)));
    QCOMPARE(report->pushed, 1);
    QCOMPARE(report->rejected, 0);
    auto onServer = w.server->content->get(r.actor, item->id);
    QVERIFY2(onServer, qPrintable(why(onServer)));
    QCOMPARE(onServer->authorId, r.actor.userId);
    QCOMPARE(r.node->checksum(), w.server->checksum());
}

void SyncProtocol::verifyFindsAReplicaThatDiverged()
{
    World w(18);
    Replica &a = w.add(Role::Editor);
    Replica &creator = w.add(Role::Creator);
    for (const char *t : {"One", "Two", "Three"}) {
        QVERIFY(a.node->content->create(a.actor, draft(QLatin1String(t))));
    }
    QVERIFY(syncAll(w));
    auto same = a.engine->verify();
    QVERIFY2(same, qPrintable(why(same)));
    QVERIFY(same->comparable);
    QVERIFY2(same->same, qPrintable(same->local + u' ' + same->server));
    // What a creator holds depends on when it pulled: not comparable.
    auto partial = creator.engine->verify();
    QVERIFY(partial);
    QVERIFY(!partial->comparable);
    // An event lost from the replica's log (a damaged file) is found.
    auto lost = execSql(a.node->db->connection(),
                        QStringLiteral("DELETE FROM event_log WHERE seq = (SELECT MIN(seq) FROM "
                                       "event_log WHERE server_seq > 0)"));
    QVERIFY(lost);
    auto diverged = a.engine->verify();
    QVERIFY(diverged);
    QVERIFY(diverged->comparable);
    QVERIFY(!diverged->same);
}

QTEST_GUILESS_MAIN(SyncProtocol)
#include "tst_syncprotocol.moc"
