"""The employer API (jobs, applications) and the applicant's apply endpoint, under /api/v1/."""
