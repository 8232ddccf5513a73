// SPDX-License-Identifier: MIT
// Demo content for a first look: a few categories and articles in every
// workflow state, made through the content service like any other content.
#pragma once

#include "backend/core/error.h"
#include "services/user/user.h"

namespace colophon {

class ContentService;

// Seeds the demo into a replica that has no content yet, as `author` (an
// admin or editor). Returns the number of items made; 0 when content exists.
Result<int> seedDemoContent(ContentService &content, const Actor &author);

} // namespace colophon
