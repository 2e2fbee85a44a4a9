// Per-step invariants for CODEV_VALIDATE builds (validate.cpp).
#pragma once

#include "codev/engine.hpp"

namespace codev {

/// True in a build configured with -DCODEV_VALIDATE=ON: step() then checks every step.
#ifdef CODEV_VALIDATE
inline constexpr bool kValidate = true;
#else
inline constexpr bool kValidate = false;
#endif

/// Whether the library was built with CODEV_VALIDATE (for code outside the library).
bool validating_build();

/// Checks the invariants of the state after a step (and of the year's indicators when the step
/// closed a year); throws RuntimeError naming the step and the invariant.
void validate_step(const Model& model, const State& state, const Workspace& ws, bool closed_year);

}  // namespace codev
