/** A stand-in engine thread that cannot start, like one whose engine module fails to load. */
process.exit(7);
