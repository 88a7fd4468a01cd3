package client

import "time"

// SetMinPollInterval lets tests poll faster than the API's 2 s minimum.
func SetMinPollInterval(c *Client, d time.Duration) { c.minInterval = d }

// SetPageSize sets the page size of c's iterators, so that tests cross
// page boundaries with few items.
func SetPageSize(c *Client, n int) { c.pageSize = n }
