package api

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Agent is an agent as the roster lists it: skills, capacity, hours,
// presence and teams.
type Agent struct {
	UserID      string        `json:"user_id"`
	DisplayName string        `json:"display_name"`
	Active      bool          `json:"active"`
	Kinds       []policy.Kind `json:"kinds"`
	Payers      []string      `json:"payers"`
	Languages   []string      `json:"languages"`
	Capacity    int           `json:"capacity"`
	Open        int           `json:"open"`
	Timezone    string        `json:"timezone"`
	Hours       string        `json:"hours"`
	Presence    string        `json:"presence"`
	PresenceAt  *time.Time    `json:"presence_at"`
	Teams       []string      `json:"teams"`
}

// AgentList is the roster.
type AgentList struct {
	Agents []Agent `json:"agents"`
}

// AgentBody sets an agent's skills, capacity and hours. Active and
// Capacity are pointers so that leaving them out keeps the default.
type AgentBody struct {
	DisplayName string        `json:"display_name"`
	Active      *bool         `json:"active"`
	Kinds       []policy.Kind `json:"kinds"`
	Payers      []string      `json:"payers"`
	Languages   []string      `json:"languages"`
	Capacity    *int          `json:"capacity"`
	Timezone    string        `json:"timezone"`
	Hours       string        `json:"hours"`
}

// NewAgentBody sets up an agent by its identity at the provider, before
// or after its first sign-in.
type NewAgentBody struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
	Email   string `json:"email"`
	AgentBody
}

// PresenceBody sets the calling agent's presence.
type PresenceBody struct {
	Presence routing.Presence `json:"presence"`
}

// Team is a team of agents, by the members' user ids.
type Team struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Members   []string  `json:"members"`
}

// TeamList is every team.
type TeamList struct {
	Teams []Team `json:"teams"`
}

// TeamBody names a new team.
type TeamBody struct {
	Name string `json:"name"`
}

// Waiting is an item nobody owns, with why routing could not place it.
type Waiting struct {
	ItemID      string     `json:"item_id"`
	PracticeID  string     `json:"practice_id"`
	Kind        string     `json:"kind"`
	Reason      string     `json:"reason"`
	Attempts    int        `json:"attempts"`
	DueAt       time.Time  `json:"due_at"`
	RetryAt     *time.Time `json:"retry_at"`
	EscalatedAt *time.Time `json:"escalated_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// WaitingList is the work nobody owns.
type WaitingList struct {
	Items []Waiting `json:"items"`
}
