# Writes OUTPUT, a C++ file defining codev::git_commit(), from the git commit of SOURCE_DIR at
# build time (a run of the build target), so provenance names the commit that was built, not
# the one CMake was configured at. "-dirty" marks uncommitted changes. The file is rewritten only
# when its text changes, so an unchanged commit recompiles nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(commit "${commit}-dirty")
  endif()
endif()
set(text "// Generated at build time by cmake/git_commit.cmake: do not edit.\n#include \"codev/version.hpp\"\nnamespace codev {\nconst char* git_commit() { return \"${commit}\"; }\n}  // namespace codev\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUTPUT} "${text}")
endif()
