package router

// OpsPath is where operators watch the queues (asynqmon, for platform
// admins).
const OpsPath = "/ops/queues"
