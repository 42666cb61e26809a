
test('grants, owners and service principals survive a restart', async () => {
  const u = await userWithToken();
  const cid = await createCluster();
  ok(await perms(cid, { access_control_list: [{ user_name: u.user.userName, permission_level: 'CAN_RESTART' }] }));
  const sp = ok(await d.api('POST', `${SCIM}/ServicePrincipals`, { displayName: 'survivor' }), 201);
  const t = ok(await d.api('POST', '/api/2.0/token-management/on-behalf-of/tokens', { application_id: sp.applicationId }));
  await d.kill9();
  await d.restart();
  const acl = ok(await d.api('GET', `/api/2.0/permissions/clusters/${cid}`)).access_control_list;
  assert.deepEqual(acl.find((e) => e.user_name === u.user.userName).all_permissions, [{ permission_level: 'CAN_RESTART', inherited: false }]);
  assert.deepEqual(acl.find((e) => e.user_name === 'admin').all_permissions, [{ permission_level: 'CAN_MANAGE', inherited: false }]);
  ok(await u.as('GET', `/api/2.1/clusters/get?cluster_id=${cid}`));
  denied(await u.as('POST', '/api/2.1/clusters/resize', { cluster_id: cid, num_workers: 1 }));
  assert.equal(ok(await d.api('GET', `${SCIM}/Me`, undefined, { token: t.token_value })).id, sp.id);
});
