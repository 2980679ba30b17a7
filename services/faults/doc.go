// Package faults runs Backdesk as it runs in Kubernetes and breaks it
// while agents work. Its one test (`make test-faults`) starts a
// PostgreSQL cluster and a Redis server of its own, every service binary
// as a separate process with its production configuration, Debian's
// nginx in front routing by the chart's path table, and a TCP proxy
// (toxiproxy) between each service and its stores. Simulated agents, a
// practice admin, a compliance officer and arriving imports load the
// platform through nginx while the suite kills services, restarts and
// pauses Redis and PostgreSQL, makes the audit path fail and cuts or
// slows the network; after each fault it checks what must hold (no work
// lost or owned twice, no timer left unfired, no patient data answered
// without its audit event, a revocation in force within a second, no
// duplicate from a retry, readiness that tells the truth) and prints a
// table of figures, which docs/reliability.md keeps.
package faults
