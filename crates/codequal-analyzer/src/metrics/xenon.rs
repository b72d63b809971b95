//! xenon's three complexity thresholds over a set of modules.
