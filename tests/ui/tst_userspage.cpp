// SPDX-License-Identifier: MIT
// The admins' Users page, driven through its widgets over a real replica:
// role changes, search, new accounts, revoking sessions, the last-admin
// refusal, stale changes, and what people who are not admins see.
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/users/userspage.h"
#include "ui/users/usertablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QTableView>
#include <QTreeWidget>

using namespace colophon;
using namespace colophon::test;

namespace {

// An admin signed in, the page shown and its first page of accounts loaded.
struct Setup
{
    UiReplica replica;
    Actor admin;
    std::unique_ptr<UsersPage> page;

    void open()
    {
        page = std::make_unique<UsersPage>(replica.gateway());
        page->resize(1280, 860);
        page->show();
        QVERIFY(QTest::qWaitForWindowExposed(page.get()));
        QVERIFY(replica.settle());
    }

    template <typename T> T *find(const char *name) { return child<T>(page.get(), name); }

    // Clicks the account's row in the table, as a person would.
    void clickRow(const QString &userId)
    {
        auto *table = find<QTableView>("usersTable");
        QTRY_VERIFY(page->model()->rowOf(userId) >= 0);
        const QModelIndex index = page->model()->index(page->model()->rowOf(userId), 0);
        table->scrollTo(index);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
        QCOMPARE(page->selectedUserId(), userId);
        QVERIFY(replica.settle());
    }

    QString shownRole(const QString &userId)
    {
        const int row = page->model()->rowOf(userId);
        return row < 0 ? QString()
                       : page->model()->index(row, UserTableModel::RoleColumn).data().toString();
    }
};

void clickYes(QWidget *dialog)
{
    auto *box = qobject_cast<QMessageBox *>(dialog);
    QVERIFY(box);
    box->button(QMessageBox::Yes)->click();
}

bool listContains(QListWidget *list, const QString &text)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->text().contains(text)) {
            return true;
        }
    }
    return false;
}

} // namespace

class TestUsersPage : public QObject
{
    Q_OBJECT

private slots:
    void anAdminChangesARoleThroughTheRoleComboAndApply()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        const User bob = s.replica.addUser(QStringLiteral("bob@example.org"), Role::Creator);
        ContentDraft draft;
        draft.title = QStringLiteral("Spring menu");
        QVERIFY(s.replica.content().create(*s.replica.users().localActor(bob.email), draft));
        s.open();
        s.clickRow(bob.id);
        QCOMPARE(s.shownRole(bob.id), QStringLiteral("Creator"));
        // What they did is in the account's recent activity, content by its title.
        auto *activity = s.find<QListWidget>("userActivity");
        QTRY_VERIFY(activity->count() > 0);
        QVERIFY2(activity->item(0)->text().contains(QStringLiteral("created “Spring menu”")),
                 qPrintable(activity->item(0)->text()));

        auto *role = s.find<QComboBox>("roleCombo");
        auto *apply = s.find<QPushButton>("applyUser");
        QCOMPARE(role->currentData().toString(), QStringLiteral("creator"));
        QVERIFY(!apply->isEnabled()); // nothing to apply yet
        role->setCurrentIndex(role->findData(QStringLiteral("editor")));
        QVERIFY(apply->isEnabled());
        apply->click();
        QVERIFY(s.replica.settle());

        QCOMPARE(s.replica.users().user(s.admin, bob.id)->role, Role::Editor);
        QTRY_COMPARE(s.shownRole(bob.id), QStringLiteral("Editor"));
        QVERIFY(!apply->isEnabled());
        QVERIFY(s.find<MessageBar>("messageBar")->text().contains(QStringLiteral("editor")));
        // The change is in the account's recent activity, with who made it.
        QTRY_VERIFY(
            listContains(activity, QStringLiteral("role changed to editor by admin@example.org")));
    }

    void searchFiltersTheTableToWhatListUsersReturns()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        s.replica.addUser(QStringLiteral("alice.smith@example.org"), Role::Creator);
        s.replica.addUser(QStringLiteral("bob.jones@example.org"), Role::Editor);
        s.replica.addUser(QStringLiteral("carol.smith@example.org"), Role::Consumer);
        s.open();
        QTRY_COMPARE(s.page->model()->rowCount(), 4);

        QTest::keyClicks(s.find<QLineEdit>("userSearch"), QStringLiteral("smith"));
        UserQuery query;
        query.text = QStringLiteral("smith");
        query.limit = 100;
        const auto expected = s.replica.users().listUsers(s.admin, query);
        QVERIFY(expected);
        QCOMPARE(expected->total, 2);
        QTRY_COMPARE(s.page->model()->rowCount(), 2);
        QSet<QString> want;
        QSet<QString> shown;
        for (const User &u : expected->items) {
            want.insert(u.email);
        }
        for (int row = 0; row < s.page->model()->rowCount(); ++row) {
            shown.insert(s.page->model()->userAt(row)->email);
        }
        QCOMPARE(shown, want);

        // The role filter narrows the search further.
        auto *roleFilter = s.find<QComboBox>("roleFilter");
        roleFilter->setCurrentIndex(roleFilter->findData(QStringLiteral("consumer")));
        QTRY_COMPARE(s.page->model()->rowCount(), 1);
        QCOMPARE(s.page->model()->userAt(0)->email, QStringLiteral("carol.smith@example.org"));
    }

    void creatingAUserThroughTheDialogMakesTheAccount()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        s.open();
        answerNextModal([](QWidget *dialog) {
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserEmail"),
                             QStringLiteral("dora@example.org"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserFirstName"),
                             QStringLiteral("Dora"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserLastName"),
                             QStringLiteral("Explorer"));
            auto *role = dialog->findChild<QComboBox *>("newUserRole");
            role->setCurrentIndex(role->findData(QStringLiteral("editor")));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserPassword"), kUiPassword);
            dialog->findChild<QPushButton *>("createUser")->click();
            // It closes itself once the account is made; never leave it open.
            if (!QTest::qWaitFor([dialog] { return !dialog->isVisible(); })) {
                static_cast<QDialog *>(dialog)->reject();
            }
        });
        s.find<QPushButton>("newUser")->click();
        QVERIFY(s.replica.settle());

        const auto dora = s.replica.users().localActor(QStringLiteral("dora@example.org"));
        QVERIFY(dora);
        QCOMPARE(dora->role, Role::Editor);
        QVERIFY(s.replica.users().login(QStringLiteral("dora@example.org"), kUiPassword, {}));
        QTRY_COMPARE(s.page->selectedUserId(), dora->userId);
        QTRY_VERIFY(s.page->model()->rowOf(dora->userId) >= 0);
    }

    void aGeneratedPasswordIsShownOnceAndSignsIn()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        s.open();
        auto shownPassword = std::make_shared<QString>();
        answerNextModal([shownPassword](QWidget *dialog) {
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserEmail"),
                             QStringLiteral("eve@example.org"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserFirstName"),
                             QStringLiteral("Eve"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserLastName"),
                             QStringLiteral("Example"));
            dialog->findChild<QPushButton *>("generatePassword")->click();
            dialog->findChild<QPushButton *>("createUser")->click();
            // Once made, the dialog stays open showing the password read-only.
            auto *create = dialog->findChild<QPushButton *>("createUser");
            auto *password = dialog->findChild<QLineEdit *>("newUserPassword");
            (void)QTest::qWaitFor([create] { return create->isHidden(); });
            if (!create->isHidden()) {
                qWarning("%s / %s",
                         qPrintable(dialog->findChild<QLabel *>("passwordError")->text()),
                         qPrintable(dialog->findChild<MessageBar *>("dialogMessage")->text()));
                static_cast<QDialog *>(dialog)->reject();
                return;
            }
            QVERIFY(password->isReadOnly());
            QCOMPARE(password->echoMode(), QLineEdit::Normal);
            QVERIFY(dialog->findChild<QPushButton *>("copyPassword")->isEnabled());
            *shownPassword = password->text();
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Close)->click();
        });
        s.find<QPushButton>("newUser")->click();
        QVERIFY(s.replica.settle());
        QVERIFY(shownPassword->size() >= 12);
        QVERIFY(s.replica.users().login(QStringLiteral("eve@example.org"), *shownPassword, {}));
    }

    void theServiceRefusalIsShownByTheFieldInTheDialog()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        s.open();
        auto emailError = std::make_shared<QString>();
        answerNextModal([emailError](QWidget *dialog) {
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserEmail"),
                             QStringLiteral("not an address"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserFirstName"),
                             QStringLiteral("No"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserLastName"),
                             QStringLiteral("Body"));
            QTest::keyClicks(dialog->findChild<QLineEdit *>("newUserPassword"), kUiPassword);
            dialog->findChild<QPushButton *>("createUser")->click();
            auto *error = dialog->findChild<QLabel *>("emailError");
            if (QTest::qWaitFor([error] { return error->isVisible(); })) {
                *emailError = error->text();
            }
            static_cast<QDialog *>(dialog)->reject();
        });
        s.find<QPushButton>("newUser")->click();
        QVERIFY(s.replica.settle());
        QVERIFY2(emailError->contains(QStringLiteral("not a valid address")),
                 qPrintable(*emailError));
        QVERIFY(!s.replica.users().localActor(QStringLiteral("not an address")));
    }

    void revokingSessionsReportsTheCountAndTheSessionsAreGone()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        const User bob = s.replica.addUser(QStringLiteral("bob@example.org"), Role::Creator);
        for (const char *address : {"10.0.0.1", "10.0.0.2"}) {
            QVERIFY(s.replica.users().login(bob.email, kUiPassword,
                                            {QLatin1String(address), QStringLiteral("Firefox")}));
        }
        s.open();
        s.clickRow(bob.id);
        auto *sessions = s.find<QTreeWidget>("userSessions");
        QTRY_COMPARE(sessions->topLevelItemCount(), 2);
        auto *revoke = s.find<QPushButton>("revokeSessions");
        QVERIFY(revoke->isEnabled());

        answerNextModal(clickYes);
        revoke->click();
        QVERIFY(s.replica.settle());
        auto *message = s.find<MessageBar>("messageBar");
        QTRY_VERIFY(message->text().contains(QStringLiteral("Ended 2 sessions")));
        QCOMPARE(message->kind(), MessageBar::Kind::Success);
        QVERIFY(s.replica.users().userSessions(s.admin, bob.id)->empty());
        QTRY_COMPARE(sessions->topLevelItemCount(), 0);
        QTRY_VERIFY(!revoke->isEnabled());
    }

    void demotingTheLastAdminShowsTheConflictAndChangesNothing()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        s.replica.addUser(QStringLiteral("bob@example.org"), Role::Editor);
        s.open();
        s.clickRow(s.admin.userId);
        auto *role = s.find<QComboBox>("roleCombo");
        role->setCurrentIndex(role->findData(QStringLiteral("editor")));
        answerNextModal(clickYes); // "give up admin rights?"
        s.find<QPushButton>("applyUser")->click();
        QVERIFY(s.replica.settle());

        auto *message = s.find<MessageBar>("messageBar");
        QTRY_VERIFY(message->text().contains(QStringLiteral("last active admin")));
        QCOMPARE(message->kind(), MessageBar::Kind::Error);
        QCOMPARE(s.replica.users().user(s.admin, s.admin.userId)->role, Role::Admin);
        QCOMPARE(s.shownRole(s.admin.userId), QStringLiteral("Admin"));
        QCOMPARE(s.replica.gateway().actor().role, Role::Admin);
    }

    void aChangeMadeElsewhereMeanwhileIsRefusedAndReported()
    {
        Setup s;
        s.admin = s.replica.signInAs(Role::Admin);
        const User bob = s.replica.addUser(QStringLiteral("bob@example.org"), Role::Creator);
        s.open();
        s.clickRow(bob.id);
        auto *status = s.find<QComboBox>("statusCombo");
        status->setCurrentIndex(status->findData(QStringLiteral("suspended")));
        // Another admin changes the account before this one applies.
        UserChange other;
        other.lastName = QStringLiteral("Elsewhere");
        QVERIFY(s.replica.users().updateUser(s.admin, bob.id, other));
        QTest::qWait(300); // the refresh it causes keeps the pending edit
        QVERIFY(s.replica.settle());
        QCOMPARE(status->currentData().toString(), QStringLiteral("suspended"));

        s.find<QPushButton>("applyUser")->click();
        QVERIFY(s.replica.settle());
        auto *message = s.find<MessageBar>("messageBar");
        QTRY_VERIFY(message->text().contains(QStringLiteral("changed since it was read")));
        QCOMPARE(message->kind(), MessageBar::Kind::Warning);
        QCOMPARE(s.replica.users().user(s.admin, bob.id)->status, QStringLiteral("active"));
    }

    void aNonAdminSeesNoTable()
    {
        Setup s;
        s.replica.signInAs(Role::Editor);
        s.open();
        auto *table = s.find<QTableView>("usersTable");
        QVERIFY(!table->isVisible());
        QCOMPARE(s.page->model()->rowCount(), 0);
        auto *explanation = s.find<QLabel>("notAdmin");
        QVERIFY(explanation->isVisible());
        QVERIFY(explanation->text().contains(QStringLiteral("for admins")));
    }
};

QTEST_MAIN(TestUsersPage)
#include "tst_userspage.moc"
