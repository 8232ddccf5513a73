// SPDX-License-Identifier: MIT
// Proves the admins' management of accounts (listing, changes, deletion as
// anonymisation, revoking sessions) and a person's export of their data.
#include "tests/services/user/userservicefixture.h"

using colophon::UserChange;
using colophon::UserQuery;

class TestUserAdmin final : public UserServiceFixture
{
    Q_OBJECT

    // Makes accounts with distinct names and roles; their ids in creation order.
    QStringList population()
    {
        struct Row
        {
            const char *email;
            const char *first;
            const char *last;
            Role role;
        };
        const Row rows[] = {
            {"grace@example.org", "Grace", "Hopper", Role::Editor},
            {"alan@example.org", "Alan", "Turing", Role::Creator},
            {"barbara@example.org", "Barbara", "Liskov", Role::Creator},
            {"edsger@example.org", "Edsger", "Dijkstra", Role::Consumer},
            {"donald@example.org", "Donald", "Knuth", Role::Creator},
        };
        QStringList ids;
        for (const Row &r : rows) {
            m_clock.advance(1000);
            auto user = m_service->createUser(m_admin, NewUser{QLatin1String(r.email), kPassword,
                                                               QLatin1String(r.first),
                                                               QLatin1String(r.last), r.role});
            if (!user) {
                qWarning("createUser: %s", qPrintable(why(user)));
                return {};
            }
            ids << user->id;
        }
        return ids;
    }

    QStringList emails(const Result<colophon::UserPage> &page)
    {
        QStringList out;
        if (!page) {
            qWarning("listUsers: %s", qPrintable(why(page)));
            return out;
        }
        for (const User &u : page->items) {
            out << u.email;
        }
        return out;
    }

    UserQuery query(const QString &sort = {}, bool descending = false)
    {
        UserQuery q;
        q.sortField = sort;
        q.descending = descending;
        return q;
    }

private slots:
    void listFiltersByRoleStatusAndText()
    {
        QVERIFY(!population().isEmpty());
        UserQuery creators = query(QStringLiteral("email"));
        creators.role = Role::Creator;
        QCOMPARE(emails(m_service->listUsers(m_admin, creators)),
                 (QStringList{"alan@example.org", "barbara@example.org", "donald@example.org"}));

        UserQuery text = query(QStringLiteral("email"));
        text.text = QStringLiteral("KNU");
        QCOMPARE(emails(m_service->listUsers(m_admin, text)), QStringList{"donald@example.org"});
        text.text = QStringLiteral("grace hop"); // the full name
        QCOMPARE(emails(m_service->listUsers(m_admin, text)), QStringList{"grace@example.org"});
        text.text = QStringLiteral("%"); // a LIKE wildcard is taken literally
        QCOMPARE(emails(m_service->listUsers(m_admin, text)), QStringList{});

        auto ids = m_service->listUsers(m_admin, creators);
        QVERIFY(m_service->updateUser(m_admin, ids->items[0].id,
                                      {{}, {}, {}, QStringLiteral("suspended"), {}}));
        UserQuery suspended = query();
        suspended.status = QStringLiteral("suspended");
        QCOMPARE(emails(m_service->listUsers(m_admin, suspended)), QStringList{"alan@example.org"});
    }

    void listSortsAndPagesWithATotal()
    {
        QVERIFY(!population().isEmpty());
        auto byLast = m_service->listUsers(m_admin, query(QStringLiteral("lastName")));
        QCOMPARE(emails(byLast),
                 (QStringList{"edsger@example.org", "grace@example.org", "donald@example.org",
                              "barbara@example.org", "admin@example.org", "alan@example.org"}));
        QCOMPARE(byLast->total, qint64(6));

        UserQuery page = query(QStringLiteral("createdAt"), true);
        page.limit = 2;
        page.offset = 2;
        auto second = m_service->listUsers(m_admin, page);
        QCOMPARE(emails(second), (QStringList{"barbara@example.org", "alan@example.org"}));
        QCOMPARE(second->total, qint64(6));
    }

    void listRefusesAnUnknownSortOrStatus()
    {
        auto badSort = m_service->listUsers(m_admin, query(QStringLiteral("password_hash")));
        QVERIFY(!badSort);
        QCOMPARE(badSort.error().field, QStringLiteral("sort"));
        UserQuery badStatus = query();
        badStatus.status = QStringLiteral("banned");
        auto refused = m_service->listUsers(m_admin, badStatus);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, QStringLiteral("status"));
    }

    void onlyAnAdminManagesAccounts_data()
    {
        QTest::addColumn<Role>("role");
        QTest::newRow("editor") << Role::Editor;
        QTest::newRow("creator") << Role::Creator;
        QTest::newRow("consumer") << Role::Consumer;
    }

    void onlyAnAdminManagesAccounts()
    {
        QFETCH(Role, role);
        QVERIFY(makeUser(QStringLiteral("someone@example.org"), role));
        const Actor actor = signIn(QStringLiteral("someone@example.org"), kPassword)->second;
        const qint64 before = eventCount();
        const auto denied = [](const auto &r) {
            return !r && r.error().code == ErrorCode::PermissionDenied;
        };
        QVERIFY(denied(m_service->listUsers(actor, query())));
        QVERIFY(denied(m_service->user(actor, m_adminUser.id)));
        QVERIFY(
            denied(m_service->updateUser(actor, m_adminUser.id, {{}, {}, Role::Consumer, {}, {}})));
        QVERIFY(denied(m_service->deleteUser(actor, m_adminUser.id)));
        QVERIFY(denied(m_service->revokeUserSessions(actor, m_adminUser.id)));
        QVERIFY(denied(m_service->userSessions(actor, m_adminUser.id)));
        QVERIFY(denied(m_service->resetMfa(actor, m_adminUser.id)));
        QCOMPARE(eventCount(), before);
        QVERIFY(m_service->authenticate(
            signIn(kAdminEmail, kAdminPassword)->first.accessToken)); // the admin is untouched
    }

    void aRoleChangeAppliesToLiveSessionsAtOnce()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("writer@example.org"), kPassword);
        QVERIFY(signedIn);
        // Checked once before, so the session's role is remembered on this thread.
        QCOMPARE(m_service->authenticate(signedIn->first.accessToken)->role, Role::Creator);
        auto changed = m_service->updateUser(m_admin, user->id, {{}, {}, Role::Editor, {}, {}});
        QVERIFY2(changed, qPrintable(why(changed)));
        QCOMPARE(changed->role, Role::Editor);
        QVERIFY(changed->updatedAtMs > user->updatedAtMs);
        QCOMPARE(m_service->authenticate(signedIn->first.accessToken)->role, Role::Editor);
        const Event e = lastEvent(QStringLiteral("UserUpdated"));
        QCOMPARE(e.actorId, m_adminUser.id);
        QCOMPARE(e.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(jsonText(e.payload["changes"]), QStringLiteral(R"({"role":"editor"})"));
    }

    void aSessionRevokedByAnotherProcessEndsAtOnce()
    {
        // colophonctl on the same data folder writes through a connection of
        // its own: the next request must see it, however often it was seen live.
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("writer@example.org"), kPassword);
        QVERIFY(signedIn);
        QVERIFY(m_service->authenticate(signedIn->first.accessToken));
        QVERIFY(m_service->authenticate(signedIn->first.accessToken));
        {
            auto other = Database::openSqlite(m_db->path());
            QVERIFY(other);
            QVERIFY((*other)->transact([&](colophon::Transaction &tx) -> Result<int> {
                auto s = tx.statement("UPDATE user_sessions SET revoked_at = 1 WHERE user_id = ?");
                return s ? s->bind(1, user->id).run() : colophon::fail(s.error());
            }));
        }
        QCOMPARE(m_service->authenticate(signedIn->first.accessToken).error().code,
                 ErrorCode::Unauthenticated);
    }

    void suspendingRevokesEverySession()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        auto a = signIn(QStringLiteral("writer@example.org"), kPassword);
        auto b = signIn(QStringLiteral("writer@example.org"), kPassword);
        QVERIFY(a && b);
        QVERIFY(m_service->authenticate(a->first.accessToken)); // remembered as live
        QVERIFY(m_service->updateUser(m_admin, user->id,
                                      {{}, {}, {}, QStringLiteral("suspended"), {}}));
        QCOMPARE(m_service->authenticate(a->first.accessToken).error().code,
                 ErrorCode::Unauthenticated);
        QCOMPARE(m_service->refresh(b->first.refreshToken, kClient).error().code,
                 ErrorCode::Unauthenticated);
        QCOMPARE(m_service->userSessions(m_admin, user->id)->size(), std::size_t(0));
        const auto revoked = events(QStringLiteral("UserSessionRevoked"));
        QCOMPARE(revoked.size(), std::size_t(2));
        QCOMPARE(str(revoked.back().payload, "reason"), QStringLiteral("account-suspended"));
        auto login = passwordLogin(QStringLiteral("writer@example.org"), kPassword);
        QCOMPARE(login.error().code, ErrorCode::PermissionDenied);
    }

    void aStaleChangeIsRefusedAndChangesNothing()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        m_clock.advance(1000);
        QVERIFY(
            m_service->updateUser(m_admin, user->id, {QStringLiteral("Augusta"), {}, {}, {}, {}}));
        const qint64 before = eventCount();
        auto stale =
            m_service->updateUser(m_admin, user->id, {{}, {}, Role::Editor, {}, user->updatedAtMs});
        QVERIFY(!stale);
        QCOMPARE(stale.error().code, ErrorCode::PreconditionFailed);
        QCOMPARE(m_service->user(m_admin, user->id)->role, Role::Creator);
        QCOMPARE(eventCount(), before);
    }

    void aChangeIsValidatedAndChangesNothingWhenInvalid()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        const qint64 before = eventCount();
        auto badStatus =
            m_service->updateUser(m_admin, user->id, {{}, {}, {}, QStringLiteral("gone"), {}});
        QCOMPARE(badStatus.error().field, QStringLiteral("status"));
        auto badName =
            m_service->updateUser(m_admin, user->id, {QString(101, u'x'), {}, {}, {}, {}});
        QCOMPARE(badName.error().field, QStringLiteral("firstName"));
        auto unknown =
            m_service->updateUser(m_admin, QStringLiteral("00000000-0000-4000-8000-000000000000"),
                                  {{}, {}, Role::Editor, {}, {}});
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QCOMPARE(eventCount(), before);
    }

    void staffSeeDisplayNamesAndConsumersDoNot()
    {
        auto writer = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        auto gone = makeUser(QStringLiteral("gone@example.org"), Role::Creator);
        auto reader = makeUser(QStringLiteral("reader@example.org"), Role::Consumer);
        QVERIFY(writer && gone && reader);
        QVERIFY(m_service->deleteUser(m_admin, gone->id));
        const Actor creator = signIn(QStringLiteral("writer@example.org"), kPassword)->second;
        auto names = m_service->displayNames(
            creator, {writer->id, gone->id, QStringLiteral("no-such-id"), writer->id});
        QVERIFY(names);
        QCOMPARE(names->size(), 2);
        QCOMPARE(names->value(writer->id),
                 (writer->firstName + QLatin1Char(' ') + writer->lastName).trimmed());
        QCOMPARE(names->value(gone->id), QStringLiteral("Deleted user"));
        const Actor consumer = signIn(QStringLiteral("reader@example.org"), kPassword)->second;
        auto refused = m_service->displayNames(consumer, {writer->id});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
    }

    void theLastActiveAdminCannotBeDemotedSuspendedOrDeleted()
    {
        const qint64 before = eventCount();
        auto demote =
            m_service->updateUser(m_admin, m_adminUser.id, {{}, {}, Role::Editor, {}, {}});
        QCOMPARE(demote.error().code, ErrorCode::Conflict);
        auto suspend = m_service->updateUser(m_admin, m_adminUser.id,
                                             {{}, {}, {}, QStringLiteral("inactive"), {}});
        QCOMPARE(suspend.error().code, ErrorCode::Conflict);
        auto remove = m_service->deleteUser(m_admin, m_adminUser.id);
        QCOMPARE(remove.error().code, ErrorCode::Conflict);
        QCOMPARE(eventCount(), before);

        // With a second admin, the first may step down.
        QVERIFY(makeUser(QStringLiteral("second@example.org"), Role::Admin));
        QVERIFY(m_service->updateUser(m_admin, m_adminUser.id, {{}, {}, Role::Editor, {}, {}}));
    }

    void deletingAnonymisesTheAccountAndErasesItFromItsEvents()
    {
        auto user = makeUser(QStringLiteral("leaving@example.org"), Role::Creator);
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("leaving@example.org"), kPassword);
        QVERIFY(signedIn);
        ProfileChange rename;
        rename.lastName = QStringLiteral("Byron");
        QVERIFY(m_service->updateMe(signedIn->second, rename));

        QVERIFY(m_service->deleteUser(m_admin, user->id));
        auto gone = m_service->user(m_admin, user->id);
        QVERIFY2(gone, qPrintable(why(gone))); // the id stays, for authorship
        QVERIFY(gone->deletedAtMs > 0);
        QCOMPARE(gone->status, QStringLiteral("inactive"));
        QVERIFY(!gone->email.contains(QStringLiteral("leaving")));
        QCOMPARE(gone->firstName, QStringLiteral("Deleted"));
        QCOMPARE(m_service->authenticate(signedIn->first.accessToken).error().code,
                 ErrorCode::Unauthenticated);
        QCOMPARE(passwordLogin(QStringLiteral("leaving@example.org"), kPassword).error().code,
                 ErrorCode::Unauthenticated);

        for (const Event &e : events()) {
            if (e.stream != QStringLiteral("user/") + user->id) {
                continue;
            }
            const QString text = QString::fromStdString(e.payload.dump());
            QVERIFY2(!text.contains(QStringLiteral("leaving")), qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("Byron")), qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("Lovelace")), qPrintable(text));
        }
        const Event deleted = lastEvent(QStringLiteral("UserDeleted"));
        QCOMPARE(deleted.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(deleted.actorId, m_adminUser.id);

        // Hidden from the list unless asked for; the address is free again.
        UserQuery all = query();
        QVERIFY(!emails(m_service->listUsers(m_admin, all)).contains(gone->email));
        all.includeDeleted = true;
        QVERIFY(emails(m_service->listUsers(m_admin, all)).contains(gone->email));
        QVERIFY(makeUser(QStringLiteral("leaving@example.org")));
        QCOMPARE(m_service->deleteUser(m_admin, user->id).error().code, ErrorCode::NotFound);
    }

    void revokingAUsersSessionsEndsThemAll()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        auto a = signIn(QStringLiteral("writer@example.org"), kPassword);
        auto b = signIn(QStringLiteral("writer@example.org"), kPassword);
        QVERIFY(a && b);
        QCOMPARE(m_service->userSessions(m_admin, user->id)->size(), std::size_t(2));
        auto revoked = m_service->revokeUserSessions(m_admin, user->id);
        QVERIFY2(revoked, qPrintable(why(revoked)));
        QCOMPARE(*revoked, 2);
        QVERIFY(!m_service->authenticate(a->first.accessToken));
        QVERIFY(!m_service->authenticate(b->first.accessToken));
        // The account itself still signs in.
        QVERIFY(passwordLogin(QStringLiteral("writer@example.org"), kPassword));
    }

    void theExportHoldsTheAccountItsSessionsAndItsEventsButNoSecret()
    {
        auto user = makeUser(QStringLiteral("writer@example.org"), Role::Creator);
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("writer@example.org"), kPassword);
        QVERIFY(signedIn);
        auto exported = m_service->exportMe(signedIn->second);
        QVERIFY2(exported, qPrintable(why(exported)));
        const nlohmann::json &j = *exported;
        QCOMPARE(str(j["user"], "email"), QStringLiteral("writer@example.org"));
        QCOMPARE(j["sessions"].size(), std::size_t(1));
        QCOMPARE(j["sessions"][0]["current"].get<bool>(), true);
        QStringList types;
        for (const auto &e : j["events"]) {
            types << QString::fromStdString(e.value("type", std::string()));
        }
        QCOMPARE(types, (QStringList{"UserCreated", "UserAuthenticated"}));
        QVERIFY(j.contains("exportedAt"));
        const QString text = QString::fromStdString(j.dump());
        QVERIFY(!text.contains(QStringLiteral("$argon2")));
        QVERIFY(!text.contains(kPassword));
        QVERIFY(!text.contains(signedIn->first.refreshToken));
        QVERIFY(!text.contains(QStringLiteral("admin@example.org")));
    }
};

QTEST_GUILESS_MAIN(TestUserAdmin)
#include "tst_useradmin.moc"
