// A utility that reaches up into the loop: what the layering check must refuse.
#pragma once
#include "runner/runner.h"
