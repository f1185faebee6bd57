// Colours shared by every picture Orchestra draws (Gantt charts, graph
// exports), so a track or a status looks the same in all of them.
#pragma once

#include <iterator>
#include <string>

#include "state_store.h"

namespace orchestra {

/// A fill and the text colour readable on it.
struct Swatch {
  const char* fill;
  const char* text;
};

/// Track colours, given to tracks in name order (Okabe–Ito: distinguishable
/// with the common colour-vision deficiencies).
inline constexpr Swatch kTrackPalette[] = {{"#E69F00", "#000"}, {"#56B4E9", "#000"}, {"#009E73", "#000"},
                                           {"#F0E442", "#000"}, {"#0072B2", "#fff"}, {"#D55E00", "#000"},
                                           {"#CC79A7", "#000"}};
inline constexpr Swatch kUntrackedSwatch = {"#BBBBBB", "#000"};

/// The `index`-th track's colours (tracks sorted by name, from 0).
inline Swatch TrackSwatch(size_t index) { return kTrackPalette[index % std::size(kTrackPalette)]; }

/// The critical path's outline and edges; failed work's outline.
inline constexpr const char* kCriticalColor = "#C00000";
inline constexpr const char* kFailedColor = "#C00000";

/// A workstream's fill by status (light, so black text stays readable).
inline const char* StatusFill(WorkstreamStatus status) {
  switch (status) {
    case WorkstreamStatus::kRunning: return "#9FD3F7";
    case WorkstreamStatus::kCompleted: return "#A8DDA0";
    case WorkstreamStatus::kFailed: return "#F4A6A6";
    case WorkstreamStatus::kBlocked: return "#FFD98A";
    case WorkstreamStatus::kPending: break;
  }
  return "#EEEEEE";
}

}  // namespace orchestra
