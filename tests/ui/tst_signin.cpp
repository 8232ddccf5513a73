// SPDX-License-Identifier: MIT
// First start and sign-in, driven through the dialogs: the welcome dialog
// makes the first admin and signs them in; the sign-in dialog takes a
// password, then a code when the account has two-step sign-in, and shows
// each refusal next to the fields without signing anyone in.
#include "backend/auth/totp.h"
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/shell/signindialog.h"

#include <QDateTime>
#include <QLineEdit>
#include <QPushButton>

using namespace colophon;
using namespace colophon::test;

namespace {

QLineEdit *field(QWidget *dialog, const char *name)
{
    return child<QLineEdit>(dialog, name);
}

QPushButton *button(QWidget *dialog, const char *name)
{
    return child<QPushButton>(dialog, name);
}

QString messageOf(QWidget *dialog)
{
    return dialog->findChild<MessageBar *>(QStringLiteral("messageBar"))->text();
}

} // namespace

class TestSignIn : public QObject
{
    Q_OBJECT

private slots:
    void welcomeCreatesTheFirstAdminAndSignsThemIn()
    {
        UiReplica replica;
        WelcomeDialog dialog(replica.gateway());
        dialog.show();
        QTest::keyClicks(field(&dialog, "email"), QStringLiteral("first@example.org"));
        QTest::keyClicks(field(&dialog, "firstName"), QStringLiteral("Ada"));
        QTest::keyClicks(field(&dialog, "lastName"), QStringLiteral("Lovelace"));
        QTest::keyClicks(field(&dialog, "password"), kUiPassword);
        QTest::keyClicks(field(&dialog, "repeatPassword"), kUiPassword);
        button(&dialog, "createAdmin")->click();
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(replica.gateway().isSignedIn());
        QCOMPARE(replica.gateway().user().email, QStringLiteral("first@example.org"));
        QCOMPARE(replica.gateway().actor().role, Role::Admin);
        QVERIFY(!replica.gateway().actor().sessionId.isEmpty());
        // The password works for a later sign-in, too.
        QVERIFY(replica.users().login(QStringLiteral("first@example.org"), kUiPassword, {}));
    }

    void welcomeRefusesMismatchedAndWeakPasswordsWithoutMakingAnAccount()
    {
        UiReplica replica;
        WelcomeDialog dialog(replica.gateway());
        dialog.show();
        QTest::keyClicks(field(&dialog, "email"), QStringLiteral("first@example.org"));
        QTest::keyClicks(field(&dialog, "firstName"), QStringLiteral("Ada"));
        QTest::keyClicks(field(&dialog, "lastName"), QStringLiteral("Lovelace"));
        QTest::keyClicks(field(&dialog, "password"), kUiPassword);
        QTest::keyClicks(field(&dialog, "repeatPassword"), QStringLiteral("something else"));
        button(&dialog, "createAdmin")->click();
        QVERIFY(messageOf(&dialog).contains(QStringLiteral("do not match")));

        field(&dialog, "password")->setText(QStringLiteral("short"));
        field(&dialog, "repeatPassword")->setText(QStringLiteral("short"));
        button(&dialog, "createAdmin")->click();
        QVERIFY(replica.settle());
        QTRY_VERIFY(messageOf(&dialog).contains(QStringLiteral("password")));
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(!replica.gateway().isSignedIn());
        UserQuery any;
        QCOMPARE(replica.users().listUsers(Actor::system(), any)->total, qint64(0));
    }

    void signInWithAPassword()
    {
        UiReplica replica;
        replica.addUser(QStringLiteral("editor@example.org"), Role::Editor);
        SignInDialog dialog(replica.gateway());
        dialog.show();
        QTest::keyClicks(field(&dialog, "email"), QStringLiteral("editor@example.org"));
        QTest::keyClicks(field(&dialog, "password"), kUiPassword);
        QTest::keyClick(field(&dialog, "password"), Qt::Key_Return);
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(replica.gateway().actor().role, Role::Editor);
        QCOMPARE(replica.gateway().user().email, QStringLiteral("editor@example.org"));
    }

    void aWrongPasswordIsShownAndSignsNobodyIn()
    {
        UiReplica replica;
        replica.addUser(QStringLiteral("editor@example.org"), Role::Editor);
        SignInDialog dialog(replica.gateway());
        dialog.show();
        QTest::keyClicks(field(&dialog, "email"), QStringLiteral("editor@example.org"));
        QTest::keyClicks(field(&dialog, "password"), QStringLiteral("not the password"));
        button(&dialog, "signIn")->click();
        QTRY_VERIFY(!messageOf(&dialog).isEmpty());
        QVERIFY(messageOf(&dialog).startsWith(QStringLiteral("Could not sign in")));
        QVERIFY(dialog.isVisible());
        QVERIFY(!replica.gateway().isSignedIn());
    }

    void signInWithTwoStepAsksForTheCodeThenSignsIn()
    {
        UiReplica replica;
        replica.addUser(QStringLiteral("mfa@example.org"), Role::Creator);
        const Actor actor = replica.signIn(QStringLiteral("mfa@example.org"));
        auto enrolment = replica.users().enrolTotp(actor);
        QVERIFY(enrolment);
        const QByteArray secret = *Totp::fromBase32(enrolment->secret);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVERIFY(replica.users().confirmTotp(actor, Totp::code(secret, now)));
        replica.gateway().signOut();

        SignInDialog dialog(replica.gateway());
        dialog.show();
        QTest::keyClicks(field(&dialog, "email"), QStringLiteral("mfa@example.org"));
        QTest::keyClicks(field(&dialog, "password"), kUiPassword);
        button(&dialog, "signIn")->click();
        QTRY_VERIFY(field(&dialog, "code")->isVisible());
        QVERIFY(!replica.gateway().isSignedIn());

        // A wrong code is refused and the code step stays.
        QTest::keyClicks(field(&dialog, "code"), QStringLiteral("000000"));
        button(&dialog, "verify")->click();
        QTRY_VERIFY(!messageOf(&dialog).isEmpty());
        QVERIFY(field(&dialog, "code")->isVisible());
        QVERIFY(!replica.gateway().isSignedIn());

        // The next time step's code (the confirming one cannot be used again).
        field(&dialog, "code")->setText(Totp::code(secret, now + 30));
        button(&dialog, "verify")->click();
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(replica.gateway().user().email, QStringLiteral("mfa@example.org"));
    }
};

QTEST_MAIN(TestSignIn)
#include "tst_signin.moc"
