package charts_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/stretchr/testify/require"
)

// The message providers' settings reach the services that send (workqueue)
// and deliver (router), and no other; the Twilio token and the SMTP
// password come from their Secrets by reference; a provider the services
// do not know is refused at render time.
func TestMessageProvidersReachTheSendingServices(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)
	vals := map[string]any{"config": map[string]any{"payments": map[string]any{"provider": "stripe"}, "messages": map[string]any{
		"textProvider": "twilio", "emailProvider": "smtp",
		"twilio": map[string]any{"accountSID": "AC0123456789abcdef0123456789abcdef", "from": "+15125550999"},
		"smtp":   map[string]any{"host": "smtp.example.com", "username": "backdesk", "from": "office@example.com"},
	}}}
	files, _, err := renderValues(ch, vals)
	require.NoError(t, err)
	seen := 0
	for name, content := range files {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, o := range decodeStrict(t, name, content) {
			d, ok := o.value.(*appsv1.Deployment)
			if !ok {
				continue
			}
			env := d.Spec.Template.Spec.Containers[0].Env
			component := d.Labels["app.kubernetes.io/component"]
			if component == "workqueue" {
				require.Equal(t, "stripe", envValue(env, "BACKDESK_PAYMENT_PROVIDER"))
				require.Equal(t, "env:BACKDESK_STRIPE_SECRET_KEY", envValue(env, "BACKDESK_STRIPE_SECRET_KEY_REF"))
				for _, secret := range []string{"BACKDESK_STRIPE_SECRET_KEY", "BACKDESK_STRIPE_WEBHOOK_SECRET"} {
					e := envVar(env, secret)
					require.NotNil(t, e, secret)
					require.Empty(t, e.Value)
					require.NotNil(t, e.ValueFrom.SecretKeyRef)
				}
			} else {
				require.Nil(t, envVar(env, "BACKDESK_STRIPE_SECRET_KEY"), component)
			}
			if component != "router" && component != "workqueue" {
				require.Nil(t, envVar(env, "BACKDESK_TEXT_PROVIDER"), component)
				require.Nil(t, envVar(env, "BACKDESK_TWILIO_AUTH_TOKEN"), component)
				continue
			}
			seen++
			require.Equal(t, "twilio", envValue(env, "BACKDESK_TEXT_PROVIDER"))
			require.Equal(t, "smtp", envValue(env, "BACKDESK_EMAIL_PROVIDER"))
			require.Equal(t, "env:BACKDESK_TWILIO_AUTH_TOKEN", envValue(env, "BACKDESK_TWILIO_AUTH_TOKEN_REF"))
			require.Equal(t, "env:BACKDESK_SMTP_PASSWORD", envValue(env, "BACKDESK_SMTP_PASSWORD_REF"))
			for _, secret := range []string{"BACKDESK_TWILIO_AUTH_TOKEN", "BACKDESK_SMTP_PASSWORD"} {
				e := envVar(env, secret)
				require.NotNil(t, e, secret)
				require.Empty(t, e.Value)
				require.Equal(t, &corev1.EnvVarSource{SecretKeyRef: e.ValueFrom.SecretKeyRef}, e.ValueFrom)
			}
		}
	}
	require.Equal(t, 2, seen)

	bad := map[string]any{"config": map[string]any{"messages": map[string]any{"textProvider": "carrier-pigeon"}}}
	_, _, err = renderValues(ch, bad)
	require.Error(t, err)
	missing := map[string]any{"config": map[string]any{"messages": map[string]any{"textProvider": "twilio"}}}
	_, _, err = renderValues(ch, missing)
	require.ErrorContains(t, err, "accountSID")
}
