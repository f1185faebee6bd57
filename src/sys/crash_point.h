// Crash points: named places in the engine where a test build can be told to
// abort(), to prove that Orchestra dying exactly there loses nothing and does
// nothing twice (tests/crash_points_test.cc walks every one; docs/reliability.md).
//
// `CrashPoint("agent-exited")` is one line at the place. The name must be in
// kCrashPoints below, checked at compile time, so the list `orchestra` prints
// for `ORCHESTRA_CRASH_AT=list` is every point there is. The hook exists only
// in builds configured with -DORCHESTRA_CRASH_POINTS=ON (on with
// ORCHESTRA_BUILD_TESTS, off by default): elsewhere CrashPoint is an empty
// inline function and the environment variable means nothing.
#pragma once

namespace orchestra {

/// CrashPointInfo is one crash point: its name, where it is, and what a run
/// needs to reach it.
struct CrashPointInfo {
  const char* name;
  const char* where;
  bool in_recovery;  // reached only by a run that starts after a crash left attempts running
  bool worktrees;    // reached only with worktree isolation
};

/// Every crash point; a CrashPoint call naming anything else does not compile.
inline constexpr CrashPointInfo kCrashPoints[] = {
    {"after-commit", "a change committed alone (its own transaction), before the caller acts on it", false, false},
    {"before-group-commit", "a loop turn's changes written to the open group transaction, not yet committed", false,
     false},
    {"after-group-commit", "a loop turn's group transaction committed, before anything acts on its changes", false,
     false},
    {"before-agent-spawn", "an attempt's start committed and its prompt written, before its agent is spawned", false,
     false},
    {"after-agent-spawn", "an agent spawned, before its pid is recorded", false, false},
    {"agent-exited", "an agent exited, before anything about its end is judged or recorded", false, false},
    {"before-attempt-end", "an attempt's end decided (after its tests and merge), before it is recorded", false,
     false},
    {"after-worktree-commit", "the agent's work committed on its branch, before the changes are recorded", false,
     true},
    {"before-merge-ref", "the merge commit recorded, before the integration branch moves to it", false, true},
    {"after-merge-ref", "the integration branch moved to the merge, before the attempt's end is recorded", false,
     true},
    {"recovery-before-end",
     "recovery: a left-over attempt adopted, collected or its processes killed, before that is recorded", true,
     false},
    {"recovery-after-end",
     "recovery: a left-over attempt's adoption or end recorded, before the next one is looked at", true,
     false},
};

/// CrashPointName is a crash point's name, checked against kCrashPoints when
/// the program is compiled.
struct CrashPointName {
  consteval CrashPointName(const char* text) : name(text) {  // NOLINT: implicit, so CrashPoint("name") reads well
    bool listed = false;
    for (const CrashPointInfo& point : kCrashPoints) listed = listed || Same(point.name, text);
    if (!listed) throw "crash point not listed in kCrashPoints (crash_point.h)";
  }
  const char* name;

 private:
  static consteval bool Same(const char* a, const char* b) {
    for (; *a != '\0' && *a == *b; ++a, ++b) {
    }
    return *a == *b;
  }
};

#ifdef ORCHESTRA_CRASH_POINTS
/// Aborts the process when `ORCHESTRA_CRASH_AT` (read by ArmCrashPoint) names
/// this point and this is its nth pass.
void CrashPoint(CrashPointName point);

/// Reads `ORCHESTRA_CRASH_AT=name[:nth]` (nth from 1, default 1) and removes
/// it from the environment, so no agent inherits it. `list` prints every
/// point, one per line as `name<TAB>needs<TAB>where` (needs: `-`, `recovery`,
/// `worktrees` or both joined by a comma), and exits 0; an unknown name
/// exits 2 naming the known ones.
void ArmCrashPoint();
#else
inline void CrashPoint(CrashPointName) {}
inline void ArmCrashPoint() {}
#endif

}  // namespace orchestra
