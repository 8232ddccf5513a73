// SPDX-License-Identifier: MIT
// Pins the whole RBAC table: every (role, action) pair with its expected answer.
#include "backend/auth/permissions.h"

#include <QSet>
#include <QTest>

using namespace colophon;

namespace {
struct Expectation
{
    Action action;
    bool admin;
    bool editor;
    bool creator;
    bool consumer;
};

// The table from permissions.h, written out independently. Changing who may
// do what must change this table too.
constexpr bool Y = true;
constexpr bool N = false;
// clang-format off
const Expectation kTable[] = {
    // action                      admin editor creator consumer
    {Action::UserReadSelf,          Y,    Y,     Y,      Y},
    {Action::UserUpdateSelf,        Y,    Y,     Y,      Y},
    {Action::UserList,              Y,    N,     N,      N},
    {Action::UserRead,              Y,    N,     N,      N},
    {Action::UserCreate,            Y,    N,     N,      N},
    {Action::UserUpdate,            Y,    N,     N,      N},
    {Action::UserDelete,            Y,    N,     N,      N},
    {Action::UserRevokeSessions,    Y,    N,     N,      N},
    {Action::UserResetMfa,          Y,    N,     N,      N},
    {Action::UserReadNames,         Y,    Y,     Y,      N},
    {Action::ContentRead,           Y,    Y,     Y,      Y},
    {Action::ContentReadAllDrafts,  Y,    Y,     N,      N},
    {Action::ContentCreate,         Y,    Y,     Y,      N},
    {Action::ContentEditOwn,        Y,    Y,     Y,      N},
    {Action::ContentEditAny,        Y,    Y,     N,      N},
    {Action::ContentSubmit,         Y,    Y,     Y,      N},
    {Action::ContentPublish,        Y,    Y,     N,      N},
    {Action::ContentReject,         Y,    Y,     N,      N},
    {Action::ContentArchive,        Y,    Y,     N,      N},
    {Action::ContentRestore,        Y,    Y,     N,      N},
    {Action::ContentDeleteOwn,      Y,    Y,     Y,      N},
    {Action::ContentDeleteAny,      Y,    Y,     N,      N},
    {Action::TaxonomyManage,        Y,    Y,     N,      N},
    {Action::MediaUpload,           Y,    Y,     Y,      N},
    {Action::MediaDeleteOwn,        Y,    Y,     Y,      N},
    {Action::MediaDeleteAny,        Y,    Y,     N,      N},
    {Action::BillingManage,         Y,    N,     N,      N},
    {Action::BillingReadOwn,        Y,    Y,     Y,      Y},
    {Action::AnalyticsRead,         Y,    Y,     N,      N},
    {Action::NotificationManage,    Y,    N,     N,      N},
    {Action::EventLogRead,          Y,    Y,     N,      N},
    {Action::SystemManage,          Y,    N,     N,      N},
};
// clang-format on

const Role kRoles[] = {Role::Admin, Role::Editor, Role::Creator, Role::Consumer};

bool expected(const Expectation &e, Role r)
{
    switch (r) {
    case Role::Admin:
        return e.admin;
    case Role::Editor:
        return e.editor;
    case Role::Creator:
        return e.creator;
    case Role::Consumer:
        return e.consumer;
    }
    return false;
}
} // namespace

class TestPermissions : public QObject
{
    Q_OBJECT

private slots:
    void everyPair_data()
    {
        QTest::addColumn<Role>("role");
        QTest::addColumn<Action>("action");
        QTest::addColumn<bool>("allowed");
        for (const Expectation &e : kTable) {
            for (Role r : kRoles) {
                const QByteArray name =
                    (roleName(r) + QLatin1Char(' ') + actionName(e.action)).toUtf8();
                QTest::newRow(name.constData()) << r << e.action << expected(e, r);
            }
        }
    }
    void everyPair()
    {
        QFETCH(Role, role);
        QFETCH(Action, action);
        QFETCH(bool, allowed);
        QCOMPARE(isAllowed(role, action), allowed);
        const auto r = authorize(role, action);
        QCOMPARE(bool(r), allowed);
        if (!allowed) {
            QCOMPARE(r.error().code, ErrorCode::PermissionDenied);
            QVERIFY(r.error().message.contains(roleName(role)));
            QVERIFY(r.error().message.contains(actionName(action)));
        }
    }

    void tableCoversEveryAction()
    {
        QSet<int> inTable;
        for (const Expectation &e : kTable)
            inTable.insert(int(e.action));
        QCOMPARE(inTable.size(), int(std::size(kTable))); // no duplicates
        QCOMPARE(allActions().size(), qsizetype(std::size(kTable)));
        for (Action a : allActions())
            QVERIFY2(inTable.contains(int(a)), qPrintable(actionName(a)));
        QCOMPARE(allActions().first(), Action::UserReadSelf);
        QCOMPARE(allActions().last(), Action::SystemManage);
    }

    void actionNamesAreUniqueAndStable()
    {
        QSet<QString> names;
        for (Action a : allActions()) {
            const QString n = actionName(a);
            QVERIFY(!n.isEmpty() && n != QStringLiteral("unknown"));
            names.insert(n);
        }
        QCOMPARE(names.size(), allActions().size());
        QCOMPARE(actionName(Action::ContentPublish), QStringLiteral("content.publish"));
        QCOMPARE(actionName(Action::UserResetMfa), QStringLiteral("user.reset-mfa"));
        QCOMPARE(actionName(Action::EventLogRead), QStringLiteral("event-log.read"));
    }

    void rolesRoundTripByName()
    {
        for (Role r : kRoles)
            QCOMPARE(parseRole(roleName(r)), std::optional<Role>(r));
        QCOMPARE(roleName(Role::Admin), QStringLiteral("admin"));
        QCOMPARE(roleName(Role::Consumer), QStringLiteral("consumer"));
        QCOMPARE(parseRole(QStringLiteral("Admin")), std::nullopt);
        QCOMPARE(parseRole(QStringLiteral("root")), std::nullopt);
        QCOMPARE(parseRole(QString()), std::nullopt);
    }

    void unknownRoleValueGetsNothing()
    {
        const auto bogus = static_cast<Role>(42);
        for (Action a : allActions())
            QVERIFY(!isAllowed(bogus, a));
    }
};

QTEST_APPLESS_MAIN(TestPermissions)
#include "tst_permissions.moc"
