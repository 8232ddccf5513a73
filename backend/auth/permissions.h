// SPDX-License-Identifier: MIT
// Role-based access control: the whole permission table, in code.
//
// Every service asks authorize(role, action) before acting; nothing else
// decides who may do what. Ownership and visibility (is this the caller's own
// item, is it published) are the service's concern: the table only says
// whether the role may attempt the action at all. Each Action is handled in an
// exhaustive switch, so adding one without deciding who may perform it fails
// to compile (-Wswitch -Werror).
//
//   action                     admin  editor  creator  consumer
//   user.read-self               ✓      ✓       ✓        ✓
//   user.update-self             ✓      ✓       ✓        ✓
//   user.list                    ✓      -       -        -
//   user.read                    ✓      -       -        -
//   user.create                  ✓      -       -        -
//   user.update                  ✓      -       -        -
//   user.delete                  ✓      -       -        -
//   user.revoke-sessions         ✓      -       -        -
//   user.reset-mfa               ✓      -       -        -
//   user.read-names              ✓      ✓       ✓        -
//   content.read                 ✓      ✓       ✓        ✓
//   content.read-all-drafts      ✓      ✓       -        -
//   content.create               ✓      ✓       ✓        -
//   content.edit-own             ✓      ✓       ✓        -
//   content.edit-any             ✓      ✓       -        -
//   content.submit               ✓      ✓       ✓        -
//   content.publish              ✓      ✓       -        -
//   content.reject               ✓      ✓       -        -
//   content.archive              ✓      ✓       -        -
//   content.restore              ✓      ✓       -        -
//   content.delete-own           ✓      ✓       ✓        -
//   content.delete-any           ✓      ✓       -        -
//   taxonomy.manage              ✓      ✓       -        -
//   media.upload                 ✓      ✓       ✓        -
//   media.delete-own             ✓      ✓       ✓        -
//   media.delete-any             ✓      ✓       -        -
//   billing.manage               ✓      -       -        -
//   billing.read-own             ✓      ✓       ✓        ✓
//   analytics.read               ✓      ✓       -        -
//   notification.manage          ✓      -       -        -
//   event-log.read               ✓      ✓       -        -
//   system.manage                ✓      -       -        -
#pragma once

#include "backend/core/error.h"

#include <QList>
#include <QString>
#include <optional>

namespace colophon {

enum class Role { Admin, Editor, Creator, Consumer };

// "admin", "editor", "creator", "consumer"; exact, lower-case match.
std::optional<Role> parseRole(const QString &name);
QString roleName(Role role);

enum class Action {
    // user
    UserReadSelf,
    UserUpdateSelf,
    UserList,
    UserRead,
    UserCreate,
    UserUpdate,
    UserDelete,
    UserRevokeSessions,
    UserResetMfa,
    UserReadNames, // the display names of accounts, for bylines and activity
    // content
    ContentRead,
    ContentReadAllDrafts,
    ContentCreate,
    ContentEditOwn,
    ContentEditAny,
    ContentSubmit,
    ContentPublish,
    ContentReject,
    ContentArchive,
    ContentRestore,
    ContentDeleteOwn,
    ContentDeleteAny,
    // taxonomy
    TaxonomyManage,
    // media
    MediaUpload,
    MediaDeleteOwn,
    MediaDeleteAny,
    // billing
    BillingManage,
    BillingReadOwn,
    // analytics, notifications, system
    AnalyticsRead,
    NotificationManage,
    EventLogRead,
    SystemManage,
};

// The stable name used in logs and error messages, as in the table above.
QString actionName(Action action);
// Every action, in declaration order.
const QList<Action> &allActions();

bool isAllowed(Role role, Action action);
// PermissionDenied error naming the role and action when not allowed.
Result<void> authorize(Role role, Action action);

} // namespace colophon
