"""Writes of the jobs app, one module per area (import the module you need):

- `jobs`: posting a job on an organization's video, editing, publishing, closing, expiry;
- `applications`: applying (consent, the profile snapshot, screening answers), withdrawing;
- `data_rights`: an applicant's export and erasure;
- `review`: statuses and their history, private notes, the emails they send;
- `dashboard`: the employer home page's record of their last visit.
"""
