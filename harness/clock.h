/*
 * clock.h - the one clock every timing in the suite reads.
 */
#ifndef GILBENCH_CLOCK_H
#define GILBENCH_CLOCK_H

/* Seconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
double now_s(void);

#endif
