/* backoff.h - restart delays for supervised services: 1 s doubling to 60 s,
 * back to 1 s once a service has stayed up for a minute. */
#ifndef ROADBOX_INIT_BACKOFF_H
#define ROADBOX_INIT_BACKOFF_H

#define BACKOFF_MIN_S     1u
#define BACKOFF_MAX_S     60u
#define BACKOFF_STABLE_MS 60000LL

/* *next holds the delay the next restart would get (start with
 * BACKOFF_MIN_S).  Given how long the service ran, returns the delay for this
 * restart and advances *next. */
unsigned backoff_delay(unsigned *next, long long ran_ms);

#endif
