// SPDX-License-Identifier: MIT
// The RBAC table documented in permissions.h.
#include "backend/auth/permissions.h"

namespace colophon {

std::optional<Role> parseRole(const QString &name)
{
    for (Role r : {Role::Admin, Role::Editor, Role::Creator, Role::Consumer}) {
        if (name == roleName(r))
            return r;
    }
    return std::nullopt;
}

QString roleName(Role role)
{
    switch (role) {
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Editor:
        return QStringLiteral("editor");
    case Role::Creator:
        return QStringLiteral("creator");
    case Role::Consumer:
        return QStringLiteral("consumer");
    }
    return QStringLiteral("unknown");
}

QString actionName(Action action)
{
    switch (action) {
    case Action::UserReadSelf:
        return QStringLiteral("user.read-self");
    case Action::UserUpdateSelf:
        return QStringLiteral("user.update-self");
    case Action::UserList:
        return QStringLiteral("user.list");
    case Action::UserRead:
        return QStringLiteral("user.read");
    case Action::UserCreate:
        return QStringLiteral("user.create");
    case Action::UserUpdate:
        return QStringLiteral("user.update");
    case Action::UserDelete:
        return QStringLiteral("user.delete");
    case Action::UserRevokeSessions:
        return QStringLiteral("user.revoke-sessions");
    case Action::UserResetMfa:
        return QStringLiteral("user.reset-mfa");
    case Action::UserReadNames:
        return QStringLiteral("user.read-names");
    case Action::ContentRead:
        return QStringLiteral("content.read");
    case Action::ContentReadAllDrafts:
        return QStringLiteral("content.read-all-drafts");
    case Action::ContentCreate:
        return QStringLiteral("content.create");
    case Action::ContentEditOwn:
        return QStringLiteral("content.edit-own");
    case Action::ContentEditAny:
        return QStringLiteral("content.edit-any");
    case Action::ContentSubmit:
        return QStringLiteral("content.submit");
    case Action::ContentPublish:
        return QStringLiteral("content.publish");
    case Action::ContentReject:
        return QStringLiteral("content.reject");
    case Action::ContentArchive:
        return QStringLiteral("content.archive");
    case Action::ContentRestore:
        return QStringLiteral("content.restore");
    case Action::ContentDeleteOwn:
        return QStringLiteral("content.delete-own");
    case Action::ContentDeleteAny:
        return QStringLiteral("content.delete-any");
    case Action::TaxonomyManage:
        return QStringLiteral("taxonomy.manage");
    case Action::MediaUpload:
        return QStringLiteral("media.upload");
    case Action::MediaDeleteOwn:
        return QStringLiteral("media.delete-own");
    case Action::MediaDeleteAny:
        return QStringLiteral("media.delete-any");
    case Action::BillingManage:
        return QStringLiteral("billing.manage");
    case Action::BillingReadOwn:
        return QStringLiteral("billing.read-own");
    case Action::AnalyticsRead:
        return QStringLiteral("analytics.read");
    case Action::NotificationManage:
        return QStringLiteral("notification.manage");
    case Action::EventLogRead:
        return QStringLiteral("event-log.read");
    case Action::SystemManage:
        return QStringLiteral("system.manage");
    }
    return QStringLiteral("unknown");
}

const QList<Action> &allActions()
{
    static const QList<Action> actions = [] {
        QList<Action> out;
        for (int a = int(Action::UserReadSelf); a <= int(Action::SystemManage); ++a)
            out.append(static_cast<Action>(a));
        return out;
    }();
    return actions;
}

bool isAllowed(Role role, Action action)
{
    bool editor = false;
    bool creator = false;
    bool consumer = false;
    switch (role) {
    case Role::Admin:
        return true;
    case Role::Editor:
        editor = true;
        break;
    case Role::Creator:
        creator = true;
        break;
    case Role::Consumer:
        consumer = true;
        break;
    }
    if (!editor && !creator && !consumer)
        return false; // a value cast from outside the enum gets nothing

    switch (action) {
    // Everyone signed in.
    case Action::UserReadSelf:
    case Action::UserUpdateSelf:
    case Action::ContentRead:
    case Action::BillingReadOwn:
        return true;

    // Authoring one's own work.
    case Action::ContentCreate:
    case Action::ContentEditOwn:
    case Action::ContentSubmit:
    case Action::ContentDeleteOwn:
    case Action::MediaUpload:
    case Action::MediaDeleteOwn:
    case Action::UserReadNames:
        return editor || creator;

    // Editorial control over everyone's work.
    case Action::ContentReadAllDrafts:
    case Action::ContentEditAny:
    case Action::ContentPublish:
    case Action::ContentReject:
    case Action::ContentArchive:
    case Action::ContentRestore:
    case Action::ContentDeleteAny:
    case Action::TaxonomyManage:
    case Action::MediaDeleteAny:
    case Action::AnalyticsRead:
    case Action::EventLogRead:
        return editor;

    // Administration only.
    case Action::UserList:
    case Action::UserRead:
    case Action::UserCreate:
    case Action::UserUpdate:
    case Action::UserDelete:
    case Action::UserRevokeSessions:
    case Action::UserResetMfa:
    case Action::BillingManage:
    case Action::NotificationManage:
    case Action::SystemManage:
        return false;
    }
    return false;
}

Result<void> authorize(Role role, Action action)
{
    if (isAllowed(role, action))
        return {};
    return fail(
        {ErrorCode::PermissionDenied,
         QStringLiteral("role %1 may not perform %2").arg(roleName(role), actionName(action)),
         {}});
}

} // namespace colophon
