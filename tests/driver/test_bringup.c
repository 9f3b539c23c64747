/* test_bringup.c - placeholder */
int main(void){return 0;}
