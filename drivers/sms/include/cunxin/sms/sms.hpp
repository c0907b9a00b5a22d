// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The whole SMS codec: PDUs, alphabets, segmentation, reassembly.

#include "cunxin/sms/error.hpp"
#include "cunxin/sms/pdu.hpp"
#include "cunxin/sms/reassembly.hpp"
#include "cunxin/sms/segment.hpp"
#include "cunxin/sms/text.hpp"
