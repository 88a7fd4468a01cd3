package docparse

import "time"

// PrefixUser is the prefix of dashboard user ids.
const PrefixUser = "user_"

// User signs in to the dashboard of one account with an email and a
// password. Users cannot call the JSON API; API keys cannot sign in.
type User struct {
	ID        string
	AccountID string
	Email     string
	CreatedAt time.Time
}

// Session is a signed-in dashboard user. ID is the hex SHA-256 of the
// token in the browser's cookie; the token itself is never stored.
type Session struct {
	ID        string
	UserID    string
	AccountID string
	// Email is the user's, for display.
	Email string
	// CSRFToken must come back in every form the session posts.
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}
