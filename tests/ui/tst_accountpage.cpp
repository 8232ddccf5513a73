// SPDX-License-Identifier: MIT
// My account, driven through its widgets over a real replica: the profile,
// the password change and its refusals, two-step sign-in from the QR code to
// the recovery codes and back off, and the sessions list.
#include "backend/auth/totp.h"
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/users/accountpage.h"
#include "ui/users/qrcodewidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>

using namespace colophon;
using namespace colophon::test;

namespace {

struct Setup
{
    UiReplica replica;
    Actor actor;
    std::unique_ptr<AccountPage> page;

    void open()
    {
        page = std::make_unique<AccountPage>(replica.gateway());
        page->resize(1280, 900);
        page->show();
        QVERIFY(QTest::qWaitForWindowExposed(page.get()));
        QVERIFY(replica.settle());
    }

    template <typename T> T *find(const char *name) { return child<T>(page.get(), name); }

    void type(const char *field, const QString &text)
    {
        auto *edit = find<QLineEdit>(field);
        edit->clear();
        QTest::keyClicks(edit, text);
    }
};

QTreeWidgetItem *sessionItem(QTreeWidget *list, const QString &sessionId)
{
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->data(0, Qt::UserRole).toString() == sessionId) {
            return list->topLevelItem(i);
        }
    }
    return nullptr;
}

} // namespace

class TestAccountPage : public QObject
{
    Q_OBJECT

private slots:
    void editingTheFirstNameAndSavingChangesItInTheService()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        s.open();
        auto *firstName = s.find<QLineEdit>("firstName");
        auto *save = s.find<QPushButton>("saveProfile");
        QTRY_COMPARE(firstName->text(), QStringLiteral("Test"));
        QCOMPARE(s.find<QLineEdit>("email")->text(), QStringLiteral("creator@example.org"));
        QVERIFY(!save->isEnabled());

        s.type("firstName", QStringLiteral("Grace"));
        s.find<QCheckBox>("pushNotifications")->setChecked(true);
        QVERIFY(save->isEnabled());
        save->click();
        QVERIFY(s.replica.settle());

        const auto me = s.replica.users().me(s.actor);
        QCOMPARE(me->firstName, QStringLiteral("Grace"));
        QVERIFY(me->preferences.pushNotifications);
        QCOMPARE(s.replica.gateway().user().firstName, QStringLiteral("Grace"));
        QVERIFY(!save->isEnabled());
    }

    void anUnknownTimeZoneIsShownByItsField()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        s.open();
        auto *zone = s.find<QComboBox>("timezone");
        zone->setEditText(QStringLiteral("Mars/Olympus_Mons"));
        s.find<QPushButton>("saveProfile")->click();
        QVERIFY(s.replica.settle());
        auto *error = s.find<QLabel>("timezoneError");
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("IANA")));
        QCOMPARE(s.replica.users().me(s.actor)->preferences.timezone, QStringLiteral("UTC"));
    }

    void aWrongCurrentPasswordShowsAnErrorByTheFieldAndKeepsThePassword()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        s.open();
        s.type("currentPassword", QStringLiteral("not my password at all"));
        s.type("newPassword", QStringLiteral("an entirely new passphrase"));
        s.type("repeatPassword", QStringLiteral("an entirely new passphrase"));
        s.find<QPushButton>("changePassword")->click();
        QVERIFY(s.replica.settle());

        auto *error = s.find<QLabel>("currentPasswordError");
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("wrong")));
        QVERIFY(s.replica.users().login(QStringLiteral("creator@example.org"), kUiPassword, {}));
        QVERIFY(!s.replica.users().login(QStringLiteral("creator@example.org"),
                                         QStringLiteral("an entirely new passphrase"), {}));
    }

    void newPasswordsThatDifferAreCaughtBeforeAsking()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        s.open();
        s.type("currentPassword", kUiPassword);
        s.type("newPassword", QStringLiteral("an entirely new passphrase"));
        s.type("repeatPassword", QStringLiteral("an entirely new passfrase"));
        s.find<QPushButton>("changePassword")->click();
        QCOMPARE(s.replica.gateway().pending(), 0); // nothing was sent
        QVERIFY(s.find<QLabel>("repeatPasswordError")->isVisible());

        s.type("repeatPassword", QStringLiteral("an entirely new passphrase"));
        s.find<QPushButton>("changePassword")->click();
        QVERIFY(s.replica.settle());
        QTRY_VERIFY(s.find<MessageBar>("passwordMessage")
                        ->text()
                        .contains(QStringLiteral("password was changed")));
        QVERIFY(s.replica.users().login(QStringLiteral("creator@example.org"),
                                        QStringLiteral("an entirely new passphrase"), {}));
    }

    void mfaEnrolmentShowsAQrAndConfirmingTurnsItOnWithTenRecoveryCodes()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Editor);
        s.open();
        auto *state = s.find<QLabel>("mfaState");
        QTRY_VERIFY(state->text().contains(QStringLiteral("Off")));
        auto *enable = s.find<QPushButton>("enableMfa");
        QVERIFY(enable->isEnabled());
        enable->click();
        QVERIFY(s.replica.settle());

        auto *qr = s.find<QrCodeWidget>("mfaQr");
        QTRY_VERIFY(qr->moduleCount() > 0);
        QVERIFY(qr->isVisible());
        QVERIFY(qr->text().startsWith(QStringLiteral("otpauth://totp/")));
        const QString shownSecret = s.find<QLineEdit>("mfaSecret")->text();
        QVERIFY(shownSecret.contains(QLatin1Char(' '))); // grouped in fours
        const auto secret = Totp::fromBase32(shownSecret);
        QVERIFY(secret);

        const QString code = Totp::code(*secret, QDateTime::currentSecsSinceEpoch());
        QTest::keyClicks(s.find<QLineEdit>("mfaCode"), code);
        auto *confirm = s.find<QPushButton>("confirmMfa");
        QVERIFY(confirm->isEnabled());
        confirm->click();
        QVERIFY(s.replica.settle());

        auto *codes = s.find<QPlainTextEdit>("recoveryCodes");
        QTRY_VERIFY(codes->isVisible());
        const QStringList lines = codes->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 10);
        QVERIFY(s.replica.users().mfaStatus(s.actor)->totpEnabled);
        QTRY_VERIFY(state->text().contains(QStringLiteral("On")));
        QVERIFY(s.find<QPushButton>("disableMfa")->isVisible());
        QTRY_VERIFY(s.replica.gateway().user().mfaEnabled);

        // Turning it off with the password and one of the recovery codes.
        const QString recovery = lines.first().trimmed();
        answerNextModal([recovery](QWidget *dialog) {
            QTest::keyClicks(dialog->findChild<QLineEdit *>("mfaPassword"), kUiPassword);
            QTest::keyClicks(dialog->findChild<QLineEdit *>("mfaDialogCode"), recovery);
            dialog->findChild<QPushButton *>("mfaDialogOk")->click();
            // It closes itself once the service agrees; never leave it open.
            if (!QTest::qWaitFor([dialog] { return !dialog->isVisible(); })) {
                static_cast<QDialog *>(dialog)->reject();
            }
        });
        s.find<QPushButton>("disableMfa")->click();
        QVERIFY(s.replica.settle());
        QVERIFY(!s.replica.users().mfaStatus(s.actor)->totpEnabled);
        QTRY_VERIFY(state->text().contains(QStringLiteral("Off")));
    }

    void aWrongEnrolmentCodeIsShownByTheCodeField()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        s.open();
        s.find<QPushButton>("enableMfa")->click();
        QVERIFY(s.replica.settle());
        QTRY_VERIFY(s.find<QrCodeWidget>("mfaQr")->moduleCount() > 0);
        const auto secret = Totp::fromBase32(s.find<QLineEdit>("mfaSecret")->text());
        // A code from an hour ago is never current.
        QTest::keyClicks(s.find<QLineEdit>("mfaCode"),
                         Totp::code(*secret, QDateTime::currentSecsSinceEpoch() - 3600));
        s.find<QPushButton>("confirmMfa")->click();
        QVERIFY(s.replica.settle());
        auto *error = s.find<QLabel>("mfaCodeError");
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("wrong")));
        QVERIFY(!s.replica.users().mfaStatus(s.actor)->totpEnabled);
    }

    void theSessionsListShowsTheCurrentSessionMarked()
    {
        Setup s;
        s.actor = s.replica.signInAs(Role::Creator);
        QVERIFY(s.replica.users().login(QStringLiteral("creator@example.org"), kUiPassword,
                                        {QStringLiteral("10.0.0.7"), QStringLiteral("Firefox")}));
        s.open();
        auto *list = s.find<QTreeWidget>("sessionsList");
        QTRY_COMPARE(list->topLevelItemCount(), 2);

        QTreeWidgetItem *current = sessionItem(list, s.actor.sessionId);
        QVERIFY(current);
        QVERIFY(current->text(0).contains(QStringLiteral("this session")));
        QVERIFY(current->font(0).bold());
        auto *ownButton = qobject_cast<QPushButton *>(list->itemWidget(current, 4));
        QVERIFY(ownButton && !ownButton->isEnabled());

        QTreeWidgetItem *other =
            list->topLevelItem(list->indexOfTopLevelItem(current) == 0 ? 1 : 0);
        QVERIFY(!other->text(0).contains(QStringLiteral("this session")));
        QCOMPARE(other->text(1), QStringLiteral("Firefox"));
        auto *signOut = qobject_cast<QPushButton *>(list->itemWidget(other, 4));
        QVERIFY(signOut && signOut->isEnabled());
        signOut->click();
        QVERIFY(s.replica.settle());
        QTRY_COMPARE(list->topLevelItemCount(), 1);
        QCOMPARE(s.replica.users().sessions(s.actor)->size(), size_t(1));
    }
};

QTEST_MAIN(TestAccountPage)
#include "tst_accountpage.moc"
