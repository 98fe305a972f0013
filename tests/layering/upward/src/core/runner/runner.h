// The loop, which may use util: this arrow is fine.
#pragma once
#include "util/helper.h"
