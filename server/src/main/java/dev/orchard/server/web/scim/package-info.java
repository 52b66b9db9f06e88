/** SCIM 2.0 provisioning endpoints ({@code /scim/v2}) for identity providers such as Entra ID and Okta. */
package dev.orchard.server.web.scim;
