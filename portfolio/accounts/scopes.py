"""What an organization's API key may do. A key carries a subset; each employer API operation names one.

A member's logged-in session has every scope: the pages and the API answer to the same people.
"""

JOBS_READ = "jobs:read"
JOBS_WRITE = "jobs:write"
APPLICATIONS_READ = "applications:read"
APPLICATIONS_WRITE = "applications:write"
WEBHOOKS_MANAGE = "webhooks:manage"

SCOPES: dict[str, str] = {
    JOBS_READ: "Read the organization's jobs",
    JOBS_WRITE: "Create, change, publish and close jobs",
    APPLICATIONS_READ: "Read applications, with the applicants' profiles",
    APPLICATIONS_WRITE: "Move applications through their statuses",
    WEBHOOKS_MANAGE: "Manage the endpoints that receive the organization's webhooks",
}
DEFAULT_SCOPES: tuple[str, ...] = (JOBS_READ, APPLICATIONS_READ)
