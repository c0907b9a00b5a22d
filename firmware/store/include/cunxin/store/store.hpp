// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The whole store API.

#include "cunxin/store/alerts.hpp"
#include "cunxin/store/auth.hpp"
#include "cunxin/store/calls.hpp"
#include "cunxin/store/campaigns.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"
#include "cunxin/store/error.hpp"
#include "cunxin/store/field.hpp"
#include "cunxin/store/federation.hpp"
#include "cunxin/store/messages.hpp"
#include "cunxin/store/reports.hpp"
#include "cunxin/store/sim_pauses.hpp"
#include "cunxin/store/templates.hpp"
