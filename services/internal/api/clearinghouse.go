package api

import "time"

// Connection is a clearinghouse connection as billing managers see and
// enter it. SecretRef names where the password or key is (env:NAME or
// file:PATH); the secret itself is never sent or shown.
type Connection struct {
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	Mode              string     `json:"mode"` // sftp or manual
	Address           string     `json:"address"`
	Username          string     `json:"username"`
	HostKey           string     `json:"host_key"`
	SecretRef         string     `json:"secret_ref"`
	Outbound          string     `json:"outbound"`
	Inbound           string     `json:"inbound"`
	Archive           string     `json:"archive"`
	SenderQualifier   string     `json:"sender_qualifier"`
	SenderID          string     `json:"sender_id"`
	ReceiverQualifier string     `json:"receiver_qualifier"`
	ReceiverID        string     `json:"receiver_id"`
	Production        bool       `json:"production"`
	AnswerMinutes     int        `json:"answer_minutes"`
	AckMinutes        int        `json:"ack_minutes"`
	LastPollAt        *time.Time `json:"last_poll_at,omitempty"` // read only: the connection's health
	LastError         string     `json:"last_error,omitempty"`   // read only
}

// ClearinghousePayer is one payer a connection reaches.
type ClearinghousePayer struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Eligibility bool   `json:"eligibility"`
	ClaimStatus bool   `json:"claim_status"`
}

// ClearinghouseLink names the connection that asks for a practice.
type ClearinghouseLink struct {
	ConnectionID string `json:"connection_id"`
}

// ClearinghouseFile is a file sent or received, without its content.
type ClearinghouseFile struct {
	ID                 string     `json:"id"`
	Direction          string     `json:"direction"` // out or in
	Name               string     `json:"name"`
	Kind               string     `json:"kind"` // 270, 276, 271, 277, 999, TA1
	InterchangeControl string     `json:"interchange_control"`
	State              string     `json:"state"`
	Note               string     `json:"note"`
	Patients           int        `json:"patients"`
	Size               int64      `json:"size"`
	CreatedAt          time.Time  `json:"created_at"`
	SentAt             *time.Time `json:"sent_at,omitempty"`
	AckedAt            *time.Time `json:"acked_at,omitempty"`
}

// ClearinghouseReceipt is what applying an uploaded answer did.
type ClearinghouseReceipt struct {
	File      ClearinghouseFile `json:"file"`
	Duplicate bool              `json:"duplicate"`
	Answers   int               `json:"answers"`
	Verified  int               `json:"verified"`
	ToAgents  int               `json:"to_agents"`
	Unmatched int               `json:"unmatched"`
	// AskedAgain counts checks whose payer could not answer for now; they
	// go in the next batch.
	AskedAgain int `json:"asked_again"`
	Acks       int `json:"acknowledged"`
	Statuses   int `json:"statuses"`
}

// ClearinghouseExchange is what an exchange run on request did.
type ClearinghouseExchange struct {
	Asked    int `json:"asked"`
	ToAgents int `json:"to_agents"`
	Batches  int `json:"batches"`
	Sent     int `json:"sent"`
	Overdue  int `json:"overdue"`
}
