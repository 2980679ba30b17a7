package dex

import (
	"context"
	"fmt"

	api "github.com/dexidp/dex/api/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// RevokeRefresh revokes, through Dex's gRPC admin API, the refresh token
// Dex issued to clientID for the person whose ID token subject is
// subject: what an operator does at Dex to cut a person off.
func (d *Dex) RevokeRefresh(ctx context.Context, subject, clientID string) error {
	conn, err := grpc.NewClient(d.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := api.NewDexClient(conn).RevokeRefresh(ctx, &api.RevokeRefreshReq{UserId: subject, ClientId: clientID})
	if err != nil {
		return err
	}
	if resp.NotFound {
		return fmt.Errorf("dex holds no refresh token of that person for client %s", clientID)
	}
	return nil
}
